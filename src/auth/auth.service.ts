import type { AppDeps } from '../deps';
import { recordAudit } from '../audit';
import { isoNow } from '../lib/clock';
import { Forbidden, Unauthorized } from '../lib/errors';
import { decoyHash, verifyPassword } from '../lib/passwords';
import type { User } from '../db/schema';
import { hasSecondFactor, mustEnrol, passkeyOnly, verifySecondFactor } from '../mfa';
import { findUserByUsername } from '../users';

export const BAD_CREDENTIALS = 'Wrong username or password.';

let decoy: Promise<string> | undefined;

/**
 * Checks a username and password under the sign-in throttle. Unknown user and wrong password take the same
 * time and give the same answer: 401, or 429 once the address is over its limit. A right password for a
 * username not in its own wait gets through even when the address is over its limit. Returns the user or throws
 * Unauthorized / TooManyRequests. The username's failure count is not cleared here: only a whole sign-in (with
 * the second factor, when the user has one) clears it, so a known password does not reset the count of wrong codes.
 */
export async function checkPassword(deps: AppDeps, username: string, password: string, ip: string): Promise<User> {
  await deps.throttle.assertAllowed(username);
  const user = await findUserByUsername(deps.db, username);
  decoy ??= decoyHash(deps.config.scryptLogN);
  const matches = await verifyPassword(password, user?.password_hash ?? (await decoy));
  if (!user || !matches || !user.active) {
    const addressLimited = await deps.throttle.recordFailure(username, ip);
    await recordAudit(deps.db, isoNow(deps.clock), {
      actorId: user?.id ?? null,
      action: 'login.failed',
      details: { username: username.slice(0, 64) },
      ip,
    });
    throw addressLimited ?? new Unauthorized(BAD_CREDENTIALS);
  }
  return user;
}

/** The password step passed and no second factor is wanted: the sign-in is whole. */
export async function passwordOnlySignIn(deps: AppDeps, user: User): Promise<void> {
  await deps.throttle.recordSuccess(user.username);
}

const PASSKEY_ONLY =
  'Your second factor is a passkey, which this route cannot check. Sign in on the sign-in page with your passkey ' +
  'and create a token on your profile page (API tokens).';

/**
 * A whole sign-in in one request (POST /api/v1/tokens): the password, then the `totp` code (a current code or an
 * unused recovery code) when the user has a second factor. A role that must have one and has none gets no token.
 */
export async function authenticate(
  deps: AppDeps,
  username: string,
  password: string,
  ip: string,
  totp?: string,
): Promise<User> {
  const user = await checkPassword(deps, username, password, ip);
  // A passkey needs the browser's ceremony, which a script's one request cannot give: no token without it.
  if (await passkeyOnly(deps, user.id)) throw new Forbidden(PASSKEY_ONLY);
  if (await hasSecondFactor(deps, user.id)) {
    await verifySecondFactor(deps, user, totp ?? '', ip);
    return user;
  }
  await passwordOnlySignIn(deps, user);
  if (await mustEnrol(deps, user)) {
    throw new Forbidden('Your role needs a second factor: set one up on your profile page first.');
  }
  return user;
}
