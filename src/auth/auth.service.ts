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
 * Checks a username and password under the login throttle. Unknown user and wrong password take the
 * same time and give the same message. Returns the user or throws Unauthorized / TooManyRequests.
 */
export async function authenticate(deps: AppDeps, username: string, password: string, ip: string): Promise<User> {
  await deps.throttle.assertAllowed(username, ip);
  const user = await findUserByUsername(deps.db, username);
  decoy ??= decoyHash(deps.config.scryptLogN);
  const matches = await verifyPassword(password, user?.password_hash ?? (await decoy));
  if (!user || !matches || !user.active) {
    await deps.throttle.recordFailure(username, ip);
    await recordAudit(deps.db, isoNow(deps.clock), {
      actorId: user?.id ?? null,
      action: 'login.failed',
      details: { username: username.slice(0, 64) },
      ip,
    });
    throw new Unauthorized(BAD_CREDENTIALS);
  }
  await deps.throttle.recordSuccess(username, ip);
  return user;
}
