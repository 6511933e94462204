import type { AppDeps } from '../deps';
import { recordAudit } from '../audit';
import { isoNow } from '../lib/clock';
import { Unauthorized } from '../lib/errors';
import { decoyHash, verifyPassword } from '../lib/passwords';
import type { User } from '../db/schema';
import { findUserByUsername } from '../users';

export const BAD_CREDENTIALS = 'Wrong username or password.';

let decoy: Promise<string> | undefined;

/**
 * Checks a username and password under the sign-in throttle. Unknown user and wrong password take the same
 * time and give the same answer: 401, or 429 once the address is over its limit. A right password for a
 * username not in its own wait signs in even when the address is over its limit. Returns the user or throws
 * Unauthorized / TooManyRequests.
 */
export async function authenticate(deps: AppDeps, username: string, password: string, ip: string): Promise<User> {
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
  await deps.throttle.recordSuccess(username);
  return user;
}
