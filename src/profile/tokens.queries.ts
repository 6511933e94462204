import { countRows } from '../db/fragments';
import type { Executor } from '../db/transaction';

export async function countActiveTokens(db: Executor, userId: number): Promise<number> {
  return countRows(db.selectFrom('api_tokens').where('user_id', '=', userId).where('revoked_at', 'is', null));
}

export interface NewToken {
  user_id: number;
  name: string;
  token_hash: string;
  created_at: string;
}

export async function insertToken(db: Executor, values: NewToken): Promise<number> {
  const row = await db.insertInto('api_tokens').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Revokes one of the user's own active tokens; false when there is no such token (or it is another's). */
export async function revokeOwnToken(db: Executor, userId: number, tokenId: number, at: string): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: at })
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function listTokensOf(db: Executor, userId: number) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'last_used_at', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .execute();
}
