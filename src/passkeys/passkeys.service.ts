import { recordChange } from '../audit';
import type { Role, User } from '../db/schema';
import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, NotFound, Validation } from '../lib/errors';
import { verifyPassword } from '../lib/passwords';
import { findUserById } from '../users';
import {
  countPasskeys,
  deletePasskey,
  deletePasskeysOf,
  findOwnPasskey,
  listPasskeys,
  renamePasskey,
} from './passkeys.queries';
import { passkeyName } from './registration';

/** Whether the person signs in with a passkey (it then counts as their second factor). */
export async function hasPasskey(deps: AppDeps, userId: number): Promise<boolean> {
  return (await countPasskeys(deps.db, userId)) > 0;
}

export async function ownPasskeys(deps: AppDeps, userId: number) {
  return listPasskeys(deps.db, userId);
}

export async function renameOwnPasskey(deps: AppDeps, userId: number, id: number, name: unknown): Promise<void> {
  const clean = passkeyName(name);
  if (!(await renamePasskey(deps.db, userId, id, clean))) throw new NotFound('No such passkey.');
}

/**
 * Removing a passkey needs the password again (someone at an unlocked screen cannot remove the owner's factor),
 * checked under the sign-in throttle, or a single sign-on at the provider within the last few minutes (`freshSso`:
 * a person who signs in through SSO may have no password they know). `keepsLastFactor` says whether the person's role needs a second factor
 * that this passkey would be the last of.
 */
export async function removeOwnPasskey(
  deps: AppDeps,
  actor: { id: number; role: Role },
  id: number,
  password: unknown,
  options: { ip: string; lastFactorRequired: boolean; freshSso: boolean },
): Promise<void> {
  const passkey = await findOwnPasskey(deps.db, actor.id, id);
  const user = await findUserById(deps.db, actor.id);
  if (!passkey || !user) throw new NotFound('No such passkey.');
  if (options.lastFactorRequired && (await countPasskeys(deps.db, actor.id)) === 1) {
    throw new Conflict(
      'Your role must use a second factor and this is your last one: add another passkey or an app code first.',
      'second_factor_required',
    );
  }
  if (!options.freshSso) await checkOwnPassword(deps, user, id, password, options.ip);
  const now = isoNow(deps.clock);
  await inTransaction(deps.db, async (trx) => {
    await deletePasskey(trx, actor.id, id);
    await recordChange(trx, now, { actorId: actor.id, ip: options.ip }, 'passkey.removed', ['user', actor.id], {
      passkey_id: id,
      name: passkey.name,
      proven_by: options.freshSso ? 'sso' : 'password',
    });
  });
}

async function checkOwnPassword(deps: AppDeps, user: User, id: number, password: unknown, ip: string) {
  await deps.throttle.assertAllowed(user.username);
  if (
    typeof password !== 'string' ||
    !password ||
    !(await verifyPassword(password.slice(0, 1024), user.password_hash))
  ) {
    const limited = await deps.throttle.recordFailure(user.username, ip);
    if (limited) throw limited;
    throw new Validation([{ path: `remove_${id}`, message: 'That password is not right.' }]);
  }
}

/** An admin's reset of a person's second factor also removes their passkeys (in the caller's transaction). */
export async function removeAllPasskeys(trx: Parameters<typeof deletePasskeysOf>[0], userId: number) {
  return deletePasskeysOf(trx, userId);
}
