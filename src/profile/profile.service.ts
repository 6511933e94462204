import { recordChange } from '../audit';
import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { NotFound, Validation } from '../lib/errors';
import { hashPassword, passwordProblem, verifyPassword } from '../lib/passwords';
import { parseInput } from '../lib/validation';
import { changePasswordSchema, endSessionsOfUser, findUserById, updateUserRow } from '../users';

/** Changes one's own password after checking the current one; every session of the user ends. */
export async function changeOwnPassword(deps: AppDeps, userId: number, raw: unknown, ip?: string): Promise<void> {
  const input = parseInput(changePasswordSchema, raw);
  const user = await findUserById(deps.db, userId);
  if (!user) throw new NotFound();
  if (!(await verifyPassword(input.current_password, user.password_hash))) {
    throw new Validation([{ path: 'current_password', message: 'That is not your current password.' }]);
  }
  const problem = passwordProblem(input.new_password, user.username);
  if (problem) throw new Validation([{ path: 'new_password', message: problem }]);
  const hash = await hashPassword(input.new_password, deps.config.scryptLogN);
  const now = isoNow(deps.clock);
  await inTransaction(deps.db, async (trx) => {
    await updateUserRow(trx, userId, { password_hash: hash, updated_at: now });
    await endSessionsOfUser(trx, userId);
    await recordChange(trx, now, { actorId: userId, ip }, 'user.password_changed', ['user', userId]);
  });
}
