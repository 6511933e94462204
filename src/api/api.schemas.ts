import { z } from 'zod';
import { password, username } from '../users';
import { text } from '../lib/validation';

export const createTokenSchema = z.object({
  username: z.string({ error: 'username is required.' }).min(1, 'username is required.').max(64),
  password: z.string({ error: 'password is required.' }).min(1, 'password is required.').max(1024),
  name: text('name', 80),
});

export const apiCreateUserSchema = z.object({
  username,
  display_name: text('display_name', 100),
  password,
  role: z.enum(['admin', 'manager', 'supervisor', 'csr']),
  team_id: z.number().int().positive().nullable().optional(),
  department_id: z.number().int().positive().nullable().optional(),
});

export const apiPatchUserSchema = z
  .object({
    display_name: text('display_name', 100).optional(),
    active: z.boolean().optional(),
    role: z.enum(['admin', 'manager', 'supervisor', 'csr']).optional(),
    team_id: z.number().int().positive().nullable().optional(),
    password: password.optional(),
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
