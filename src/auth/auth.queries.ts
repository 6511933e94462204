import type { Executor } from '../db/transaction';

/** The active user behind a token (by its hash) that is not revoked, with the token's id and last use. */
export async function findTokenUser(db: Executor, tokenHash: string) {
  return db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('users')
    .select(['api_tokens.id as token_id', 'api_tokens.last_used_at'])
    .where('api_tokens.token_hash', '=', tokenHash)
    .where('api_tokens.revoked_at', 'is', null)
    .executeTakeFirst();
}

/**
 * Records a token's use unless it was recorded after `notAfter` already. The UPDATE repeats the condition,
 * for two requests that both read an old time.
 */
export async function touchToken(db: Executor, tokenId: number, usedAt: string, notAfter: string): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: usedAt })
    .where('id', '=', tokenId)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', notAfter)]))
    .execute();
}
