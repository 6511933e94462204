import { countRows } from '../db/fragments';
import type { Executor } from '../db/transaction';

export async function findTotp(db: Executor, userId: number) {
  return db.selectFrom('user_totp').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

/** Starts (or restarts) an enrolment: a new secret, not yet confirmed. */
export async function savePendingTotp(db: Executor, userId: number, secretEnc: string, at: string): Promise<void> {
  await db.deleteFrom('user_totp').where('user_id', '=', userId).execute();
  await db
    .insertInto('user_totp')
    .values({ user_id: userId, secret_enc: secretEnc, confirmed_at: null, last_time_step: null, created_at: at })
    .execute();
}

/**
 * Records that a code of `timeStep` was used, unless one of that step or a later one was used already. The
 * condition in the UPDATE makes two requests with the same code race safely: only one of them wins.
 */
export async function claimTimeStep(db: Executor, userId: number, timeStep: number): Promise<boolean> {
  const result = await db
    .updateTable('user_totp')
    .set({ last_time_step: timeStep })
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('last_time_step', 'is', null), eb('last_time_step', '<', timeStep)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function confirmTotp(db: Executor, userId: number, at: string): Promise<void> {
  await db.updateTable('user_totp').set({ confirmed_at: at }).where('user_id', '=', userId).execute();
}

export async function deleteSecondFactor(db: Executor, userId: number): Promise<boolean> {
  await db.deleteFrom('user_recovery_codes').where('user_id', '=', userId).execute();
  const result = await db.deleteFrom('user_totp').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function replaceRecoveryCodes(db: Executor, userId: number, hashes: string[], at: string): Promise<void> {
  await db.deleteFrom('user_recovery_codes').where('user_id', '=', userId).execute();
  await db
    .insertInto('user_recovery_codes')
    .values(hashes.map((code_hash) => ({ user_id: userId, code_hash, used_at: null, created_at: at })))
    .execute();
}

/** Uses up one unused recovery code; false when there is none with that hash (wrong, or used before). */
export async function useRecoveryCode(db: Executor, userId: number, hash: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('user_recovery_codes')
    .set({ used_at: at })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function countUnusedRecoveryCodes(db: Executor, userId: number): Promise<number> {
  return countRows(db.selectFrom('user_recovery_codes').where('user_id', '=', userId).where('used_at', 'is', null));
}

/** Every active user with whether their second factor is on, for the admin's overview. */
export async function listSecondFactorStatus(db: Executor) {
  return db
    .selectFrom('users')
    .leftJoin('user_totp', 'user_totp.user_id', 'users.id')
    .select(['users.id', 'users.username', 'users.display_name', 'users.role', 'user_totp.confirmed_at'])
    .where('users.active', '=', 1)
    .orderBy('users.username')
    .execute();
}
