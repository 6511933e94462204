import { z } from 'zod';
import { email, extension, password, username } from '../users';
import { timestamp } from '../lib/openapi';
import { text } from '../lib/validation';

export const createTokenSchema = z.object({
  username: z.string({ error: 'username is required.' }).min(1, 'username is required.').max(64),
  password: z.string({ error: 'password is required.' }).min(1, 'password is required.').max(1024),
  name: text('name', 80),
  totp: z
    .string({ error: 'totp must be a string.' })
    .max(64)
    .optional()
    .describe('a current code or an unused recovery code, once a second factor is on'),
});

export const apiCreateUserSchema = z.object({
  username,
  display_name: text('display_name', 100),
  password,
  role: z.enum(['admin', 'manager', 'supervisor', 'csr']),
  team_id: z.number().int().positive().nullable().optional(),
  department_id: z.number().int().positive().nullable().optional(),
  extension: extension.optional().describe('phone extension (unique); null or blank clears it'),
  email: email.optional().describe('email address single sign-on matches (unique, case-insensitive); null clears it'),
});

export const apiPatchUserSchema = z
  .object({
    display_name: text('display_name', 100).optional(),
    active: z.boolean().optional(),
    role: z.enum(['admin', 'manager', 'supervisor', 'csr']).optional(),
    team_id: z.number().int().positive().nullable().optional(),
    password: password.optional(),
    extension: extension.optional().describe('phone extension (unique); null or blank clears it'),
    email: email.optional().describe('email address single sign-on matches (unique, case-insensitive); null clears it'),
  })
  .strict();

// The API takes JSON types as they are: a string or boolean where a number belongs is refused, not coerced.
export const apiDepartmentSchema = z.object({
  name: text('name', 100),
  manager: z.string().trim().min(1).max(64).nullable().optional(),
  budget_cents: z.number().int('budget_cents must be whole cents.').min(0).optional(),
  budget_period: z.enum(['month', 'quarter', 'year']).optional(),
});

export const apiTeamSchema = z.object({
  name: text('name', 100),
  department_id: z.number().int().positive(),
  supervisors: z.array(z.string().trim().min(1).max(64)).max(50).optional(),
});

// What the API answers (the OpenAPI document's response schemas; test/api checks real answers against them).
const ROLE = z.enum(['admin', 'manager', 'supervisor', 'csr']);
const id = z.number().int().positive();

export const tokenCreatedSchema = z.object({ id, token: z.string(), name: z.string() });

export const userResponseSchema = z.object({
  id,
  username: z.string(),
  display_name: z.string(),
  role: ROLE,
  team_id: id.nullable(),
  extension: z.string().nullable(),
  email: z.string().nullable(),
  active: z.boolean(),
  created_at: timestamp,
});

export const meResponseSchema = userResponseSchema.extend({
  department_id: id.nullable(),
  supervised_team_ids: z.array(id),
  managed_department_ids: z.array(id),
});

export const departmentResponseSchema = z.object({
  id,
  name: z.string(),
  manager_id: id.nullable(),
  budget_cents: z.number().int().min(0),
  budget_period: z.enum(['month', 'quarter', 'year']),
  created_at: timestamp,
});

export const teamResponseSchema = z.object({
  id,
  name: z.string(),
  department_id: id,
  created_at: timestamp,
  supervisors: z.array(z.string()).describe('usernames'),
});

export const healthSchema = z.object({ status: z.literal('ok') });
