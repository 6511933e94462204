import { z } from 'zod';
import { recordAudit } from '../audit';
import type { Role } from '../db/schema';
import type { DB } from '../db/database';
import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { readSetting, writeSetting } from '../lib/settings-store.queries';
import { parseInput } from '../lib/validation';
import type { Actor } from '../policy';

// Whether the center requires a second factor, and of which roles. Off until an admin turns it on; the roles
// chosen by default are those who see the most: admins and managers.

const ROLES: Role[] = ['admin', 'manager', 'supervisor', 'csr'];
const REQUIRED_KEY = 'second_factor_required';
const ROLES_KEY = 'second_factor_roles';
export const DEFAULT_REQUIRED_ROLES: Role[] = ['admin', 'manager'];

export interface SecondFactorPolicy {
  required: boolean;
  roles: Role[];
}

function rolesFrom(value: string): Role[] {
  return ROLES.filter((role) => value.split(',').includes(role));
}

export async function secondFactorPolicy(db: DB): Promise<SecondFactorPolicy> {
  const required = (await readSetting(db, REQUIRED_KEY)) === '1';
  const roles = await readSetting(db, ROLES_KEY);
  return { required, roles: roles === undefined ? [...DEFAULT_REQUIRED_ROLES] : rolesFrom(roles) };
}

const policySchema = z
  .object({
    required: z.enum(['on', 'off'], { error: 'Choose whether a second factor is required.' }),
    roles: z.preprocess(
      (value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]),
      z.array(z.enum(ROLES, { error: 'Choose roles from the list.' })).max(4),
    ),
  })
  .refine((input) => input.required === 'off' || input.roles.length > 0, {
    path: ['roles'],
    message: 'Choose at least one role that needs a second factor.',
  });

export async function saveSecondFactorPolicy(deps: AppDeps, actor: Actor, raw: unknown, ip?: string) {
  const input = parseInput(policySchema, raw);
  const before = await secondFactorPolicy(deps.db);
  const after: SecondFactorPolicy = { required: input.required === 'on', roles: rolesFrom(input.roles.join(',')) };
  const now = isoNow(deps.clock);
  await inTransaction(deps.db, async (trx) => {
    await writeSetting(trx, REQUIRED_KEY, after.required ? '1' : '0');
    await writeSetting(trx, ROLES_KEY, after.roles.join(','));
    await recordAudit(trx, now, {
      actorId: actor.id,
      action: 'settings.second_factor',
      details: { before, after },
      ip,
    });
  });
  return after;
}
