import { countRows } from '../db/fragments';
import type { Insertable } from 'kysely';
import type { UserPasskeysTable } from '../db/schema';
import type { Executor } from '../db/transaction';

export async function insertPasskey(db: Executor, passkey: Insertable<UserPasskeysTable>): Promise<number> {
  const row = await db.insertInto('user_passkeys').values(passkey).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** A person's passkeys, newest first, without their public keys. */
export async function listPasskeys(db: Executor, userId: number) {
  return db
    .selectFrom('user_passkeys')
    .select(['id', 'credential_id', 'name', 'transports', 'created_at', 'last_used_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export async function findPasskeyByCredentialId(db: Executor, credentialId: string) {
  return db.selectFrom('user_passkeys').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
}

export async function findOwnPasskey(db: Executor, userId: number, id: number) {
  return db
    .selectFrom('user_passkeys')
    .select(['id', 'name'])
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function countPasskeys(db: Executor, userId: number): Promise<number> {
  return countRows(db.selectFrom('user_passkeys').where('user_id', '=', userId));
}

/**
 * Records a use: the new signature counter and when. The condition on the old counter makes two requests
 * with the same signature race safely: only one of them wins.
 */
export async function recordPasskeyUse(
  db: Executor,
  id: number,
  oldCounter: number,
  newCounter: number,
  at: string,
): Promise<boolean> {
  const result = await db
    .updateTable('user_passkeys')
    .set({ counter: newCounter, last_used_at: at })
    .where('id', '=', id)
    .where('counter', '=', oldCounter)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function renamePasskey(db: Executor, userId: number, id: number, name: string): Promise<boolean> {
  const result = await db
    .updateTable('user_passkeys')
    .set({ name })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function deletePasskey(db: Executor, userId: number, id: number): Promise<boolean> {
  const result = await db
    .deleteFrom('user_passkeys')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Every passkey of a person (an admin's reset of their second factor); returns how many there were. */
export async function deletePasskeysOf(db: Executor, userId: number): Promise<number> {
  await db.deleteFrom('passkey_challenges').where('user_id', '=', userId).execute();
  const result = await db.deleteFrom('user_passkeys').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function saveChallenge(
  db: Executor,
  challenge: { challenge: string; purpose: string; user_id: number | null; expires_at: string },
): Promise<void> {
  await db.insertInto('passkey_challenges').values(challenge).execute();
}

/**
 * Uses up a challenge: true only for the first claim of an unexpired challenge issued for this purpose and
 * person. The DELETE is the claim, so a replayed or concurrent second use finds nothing.
 */
export async function claimChallenge(
  db: Executor,
  challenge: string,
  purpose: string,
  userId: number | null,
  now: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('passkey_challenges')
    .where('challenge', '=', challenge)
    .where('purpose', '=', purpose)
    .where('user_id', userId === null ? 'is' : '=', userId)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function pruneChallenges(db: Executor, now: string): Promise<void> {
  await db.deleteFrom('passkey_challenges').where('expires_at', '<=', now).execute();
}
