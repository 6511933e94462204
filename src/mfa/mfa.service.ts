import { recordChange } from '../audit';
import type { Role, User } from '../db/schema';
import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, NotFound, Unauthorized, Validation } from '../lib/errors';
import type { Actor } from '../policy';
import { hasPasskey, removeAllPasskeys } from '../passkeys';
import { endSessionsOfUser, findUserById } from '../users';
import {
  confirmTotp,
  countUnusedRecoveryCodes,
  deleteSecondFactor,
  findTotp,
  replaceRecoveryCodes,
  savePendingTotp,
} from './mfa.queries';
import { secondFactorPolicy } from './mfa.settings';
import { sealSecret } from './secret-box';
import { checkCode, hashRecoveryCode, newRecoveryCodes, newTotpSecret, otpauthUrl, type FactorMethod } from './totp';

export const WRONG_CODE = 'That code is not right. Use the current code from your app, or an unused recovery code.';

export interface SecondFactorStatus {
  on: boolean;
  pending: boolean;
  recoveryCodesLeft: number;
}

export async function secondFactorStatus(deps: AppDeps, userId: number): Promise<SecondFactorStatus> {
  const totp = await findTotp(deps.db, userId);
  const on = Boolean(totp?.confirmed_at);
  return {
    on,
    pending: Boolean(totp && !on),
    recoveryCodesLeft: on ? await countUnusedRecoveryCodes(deps.db, userId) : 0,
  };
}

async function totpOn(deps: AppDeps, userId: number): Promise<boolean> {
  return Boolean((await findTotp(deps.db, userId))?.confirmed_at);
}

/** An app code that is on, or a passkey: either is a second factor (and passes the second step). */
export async function hasSecondFactor(deps: AppDeps, userId: number): Promise<boolean> {
  return (await totpOn(deps, userId)) || hasPasskey(deps, userId);
}

/** Passkeys are the person's only second factor: no app code to type where only a code can be checked. */
export async function passkeyOnly(deps: AppDeps, userId: number): Promise<boolean> {
  return !(await totpOn(deps, userId)) && hasPasskey(deps, userId);
}

/** True when the role needs a second factor and passkeys are the person's only one (the last can't go). */
export async function passkeysAreLastFactor(deps: AppDeps, user: { id: number; role: Role }): Promise<boolean> {
  const policy = await secondFactorPolicy(deps.db);
  return policy.required && policy.roles.includes(user.role) && !(await totpOn(deps, user.id));
}

/** True when the center requires a second factor of this role and the user has none yet. */
export async function mustEnrol(deps: AppDeps, user: { id: number; role: Role }): Promise<boolean> {
  const policy = await secondFactorPolicy(deps.db);
  return policy.required && policy.roles.includes(user.role) && !(await hasSecondFactor(deps, user.id));
}

/** Starts (or restarts) enrolment with a new secret. Once the factor is on, its secret is never shown again. */
export async function startEnrolment(deps: AppDeps, user: { id: number; username: string }) {
  if (await totpOn(deps, user.id)) {
    throw new Conflict('Your second factor is already on. Turn it off first to set up a new one.', 'already_enrolled');
  }
  const secret = newTotpSecret();
  await savePendingTotp(deps.db, user.id, sealSecret(deps.config, secret), isoNow(deps.clock));
  return { secret, otpauthUrl: otpauthUrl(user.username, secret) };
}

function codeProblem(message = WRONG_CODE): Validation {
  return new Validation([{ path: 'code', message }]);
}

/** Confirms enrolment with a code from the app; returns the ten recovery codes (only their hashes are kept). */
export async function confirmEnrolment(deps: AppDeps, userId: number, code: string, ip?: string): Promise<string[]> {
  const totp = await findTotp(deps.db, userId);
  if (!totp) throw new Conflict('Start setting up your second factor first.', 'not_started');
  if (totp.confirmed_at) throw new Conflict('Your second factor is already on.', 'already_enrolled');
  if (!code.trim()) throw codeProblem('Enter the 6-digit code your app shows.');
  if ((await checkCode(deps, userId, code)) !== 'code')
    throw codeProblem('That code is not right. Enter the 6-digit code your app shows now.');
  const codes = newRecoveryCodes();
  const now = isoNow(deps.clock);
  await inTransaction(deps.db, async (trx) => {
    await confirmTotp(trx, userId, now);
    await replaceRecoveryCodes(trx, userId, codes.map(hashRecoveryCode), now);
    await recordChange(trx, now, { actorId: userId, ip }, 'totp.enrolled', ['user', userId]);
  });
  return codes;
}

/**
 * The second factor at sign-in (the sign-in page, POST /api/v1/tokens): under the sign-in throttle, a wrong or
 * missing code counts as a failed sign-in (401, or 429 past the limit); a right one clears the count.
 */
export async function verifySecondFactor(deps: AppDeps, user: User, code: string, ip: string): Promise<FactorMethod> {
  await deps.throttle.assertAllowed(user.username);
  // A code of an enrolment not yet confirmed is no factor (a person with a passkey may have one pending).
  const method = code.trim() && (await totpOn(deps, user.id)) ? await checkCode(deps, user.id, code) : null;
  const now = isoNow(deps.clock);
  if (!method) {
    const addressLimited = await deps.throttle.recordFailure(user.username, ip);
    await recordChange(deps.db, now, { actorId: user.id, ip }, 'totp.failed', ['user', user.id]);
    throw addressLimited ?? new Unauthorized(code.trim() ? WRONG_CODE : 'Enter the code from your authenticator app.');
  }
  await deps.throttle.recordSuccess(user.username);
  await recordChange(deps.db, now, { actorId: user.id, ip }, 'totp.used', ['user', user.id], { method });
  return method;
}

/** A signed-in user proving the factor again (turning it off, new recovery codes): throttled, 422 when wrong. */
async function reprove(deps: AppDeps, userId: number, code: string, ip?: string): Promise<User> {
  const user = await findUserById(deps.db, userId);
  if (!user) throw new NotFound();
  if (!(await totpOn(deps, userId))) throw new Conflict('Your second factor is not on.', 'not_enrolled');
  try {
    await verifySecondFactor(deps, user, code, ip ?? 'unknown');
  } catch (err) {
    if (err instanceof Unauthorized) throw codeProblem(err.message);
    throw err;
  }
  return user;
}

export async function disableSecondFactor(deps: AppDeps, userId: number, code: string, ip?: string): Promise<void> {
  await reprove(deps, userId, code, ip);
  const now = isoNow(deps.clock);
  await inTransaction(deps.db, async (trx) => {
    await deleteSecondFactor(trx, userId);
    await recordChange(trx, now, { actorId: userId, ip }, 'totp.disabled', ['user', userId]);
  });
}

export async function regenerateRecoveryCodes(deps: AppDeps, userId: number, code: string, ip?: string) {
  await reprove(deps, userId, code, ip);
  const codes = newRecoveryCodes();
  const now = isoNow(deps.clock);
  await inTransaction(deps.db, async (trx) => {
    await replaceRecoveryCodes(trx, userId, codes.map(hashRecoveryCode), now);
    await recordChange(trx, now, { actorId: userId, ip }, 'totp.recovery_codes_renewed', ['user', userId]);
  });
  return codes;
}

/**
 * An admin clears a person's second factor (a lost or stolen phone); their sessions end, and they set a new one
 * up at their next sign-in when their role needs one.
 */
export async function resetSecondFactor(deps: AppDeps, actor: Actor, userId: number, ip?: string): Promise<boolean> {
  const user = await findUserById(deps.db, userId);
  if (!user) throw new NotFound('No such user.');
  const now = isoNow(deps.clock);
  return inTransaction(deps.db, async (trx) => {
    const hadTotp = await deleteSecondFactor(trx, userId);
    const passkeys = await removeAllPasskeys(trx, userId);
    const had = hadTotp || passkeys > 0;
    await endSessionsOfUser(trx, userId);
    await recordChange(trx, now, { actorId: actor.id, ip }, 'totp.reset', ['user', userId], {
      username: user.username,
      had_second_factor: had,
      passkeys_removed: passkeys,
    });
    return had;
  });
}
