import { z } from 'zod';
import { checkbox, optionalId, text } from '../lib/validation';

export const ROLES = ['admin', 'manager', 'supervisor', 'csr'] as const;

export const username = z
  .string({ error: 'Username is required.' })
  .trim()
  .min(2, 'Username needs at least 2 characters.')
  .max(64, 'Username must be at most 64 characters.')
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, 'Use letters, digits, dots, dashes and underscores only.');

export const password = z.string({ error: 'Password is required.' }).max(1024, 'Password is too long.');

/**
 * A phone extension as PBX channel names carry it (PJSIP/1001-0000002a): letters, digits, dots and
 * underscores. Blank clears it (null).
 */
export const extension = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim() || null : v),
  z
    .string({ error: 'The extension must be text, e.g. 1001.' })
    .max(32, 'An extension has at most 32 characters.')
    .regex(/^[A-Za-z0-9_.]+$/, 'Use digits, letters, dots and underscores only (e.g. 1001).')
    .nullable(),
);

/** An email address, folded to lower case (single sign-on matches it case-insensitively). Blank clears it. */
export const email = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim().toLowerCase() || null : v),
  z
    .email({ error: 'Enter an email address such as name@example.com.' })
    .max(254, 'An email address has at most 254 characters.')
    .nullable(),
);

const role = z.enum(ROLES, { error: 'Choose a role: admin, manager, supervisor or csr.' });

export const createUserSchema = z.object({
  username,
  display_name: text('Display name', 100),
  password,
  role,
  team_id: optionalId,
  department_id: optionalId,
  extension: extension.optional(),
  email: email.optional(),
});
export type CreateUserInput = z.output<typeof createUserSchema>;

export const updateUserSchema = z
  .object({
    display_name: text('Display name', 100).optional(),
    role: role.optional(),
    // On the edit form an empty team means "no team" (refused for a CSR), not "unchanged".
    team_id: z.preprocess((v) => (v === '' ? null : v), z.union([z.null(), optionalId]).optional()),
    active: z.union([z.boolean(), checkbox]).optional(),
    password: password.optional(),
    extension: extension.optional(),
    email: email.optional(),
  })
  .strict();
export type UpdateUserInput = z.output<typeof updateUserSchema>;

export const changePasswordSchema = z.object({
  current_password: z.string({ error: 'Enter your current password.' }).min(1, 'Enter your current password.'),
  new_password: password,
});

export const tokenNameSchema = z.object({ name: text('Token name', 80) });
