import { z } from 'zod';
import { recordAudit } from '../audit';
import type { DB } from '../db/database';
import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { readSetting, writeSetting } from '../lib/settings-store.queries';
import { Validation } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { BREAK_GLASS_ID_KEY, BREAK_GLASS_KEY, SSO_ONLY_KEY, isAdmin, mayUsePassword, type Actor } from '../policy';
import { findUserByUsername } from '../users';

// What an admin decides about single sign-on: whether an unknown person is let in (as a CSR with no team), whether
// passwords are refused for everyone but one break-glass admin, and whether the identity provider's own
// multi-factor sign-in stands in for the local second factor.

export interface SsoPolicy {
  createUsers: boolean;
  ssoOnly: boolean;
  /** The one admin who may still sign in with a password while SSO is the only way in. */
  breakGlass: string;
  /** The provider enforces multi-factor sign-in: SSO sign-ins are not asked for the local code. */
  idpMfa: boolean;
}

const KEYS = {
  createUsers: 'sso_create_users',
  ssoOnly: SSO_ONLY_KEY,
  breakGlass: BREAK_GLASS_KEY,
  idpMfa: 'sso_idp_mfa',
};

export async function ssoPolicy(db: DB): Promise<SsoPolicy> {
  const [createUsers, ssoOnly, breakGlass, idpMfa] = await Promise.all([
    readSetting(db, KEYS.createUsers),
    readSetting(db, KEYS.ssoOnly),
    readSetting(db, KEYS.breakGlass),
    readSetting(db, KEYS.idpMfa),
  ]);
  return {
    createUsers: createUsers === '1',
    ssoOnly: ssoOnly === '1',
    breakGlass: breakGlass ?? '',
    idpMfa: idpMfa === '1',
  };
}

const onOff = (what: string) => z.enum(['on', 'off'], { error: `Choose on or off for ${what}.` });

const policySchema = z.object({
  create_users: onOff('making accounts at sign-in'),
  sso_only: onOff('single sign-on only'),
  break_glass: z.string().trim().max(64, 'A username has at most 64 characters.').default(''),
  idp_mfa: onOff("the provider's multi-factor sign-in"),
});

/** SSO-only needs an active admin for break-glass: their id, kept beside the name (0 when SSO-only is off). */
async function assertBreakGlass(deps: AppDeps, input: z.output<typeof policySchema>): Promise<number> {
  if (input.sso_only !== 'on') return 0;
  if (!deps.config.oidc) {
    throw new Validation([
      { path: 'sso_only', message: 'Single sign-on is not configured (OIDC_ISSUER and the rest).' },
    ]);
  }
  const admin = input.break_glass ? await findUserByUsername(deps.db, input.break_glass) : undefined;
  if (!admin || !admin.active || !isAdmin(admin)) {
    const message = 'Name an active admin who may still sign in with a password, in case single sign-on is down.';
    throw new Validation([{ path: 'break_glass', message }]);
  }
  return admin.id;
}

export async function saveSsoPolicy(deps: AppDeps, actor: Actor, raw: unknown, ip?: string): Promise<SsoPolicy> {
  const input = parseInput(policySchema, raw);
  const breakGlassId = await assertBreakGlass(deps, input);
  const before = await ssoPolicy(deps.db);
  const after: SsoPolicy = {
    createUsers: input.create_users === 'on',
    ssoOnly: input.sso_only === 'on',
    breakGlass: input.break_glass,
    idpMfa: input.idp_mfa === 'on',
  };
  const now = isoNow(deps.clock);
  await inTransaction(deps.db, async (trx) => {
    await writeSetting(trx, KEYS.createUsers, after.createUsers ? '1' : '0');
    await writeSetting(trx, KEYS.ssoOnly, after.ssoOnly ? '1' : '0');
    await writeSetting(trx, KEYS.breakGlass, after.breakGlass);
    await writeSetting(trx, BREAK_GLASS_ID_KEY, String(breakGlassId));
    await writeSetting(trx, KEYS.idpMfa, after.idpMfa ? '1' : '0');
    await recordAudit(trx, now, { actorId: actor.id, action: 'settings.sso', details: { before, after }, ip });
  });
  return after;
}

/**
 * While SSO is the only way in, a password works for the break-glass admin alone, and only while that account is
 * still the active admin it was when named (src/policy/break-glass.ts); otherwise for no one.
 */
export async function passwordAllowed(deps: AppDeps, username: string): Promise<boolean> {
  return mayUsePassword(deps.db, deps.config.oidc !== null, username);
}
