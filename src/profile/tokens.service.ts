import { recordAudit } from '../audit';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, NotFound } from '../lib/errors';
import { hashToken, newToken } from '../lib/tokens';
import { parseInput } from '../lib/validation';
import { tokenNameSchema } from '../users';

const MAX_TOKENS_PER_USER = 20;

/** Creates a personal access token; the plain token is returned once and only its hash is stored. */
export async function createToken(deps: AppDeps, userId: number, raw: unknown, ip?: string) {
  const { name } = parseInput(tokenNameSchema, raw);
  const token = newToken();
  const now = isoNow(deps.clock);
  const id = await deps.db.transaction().execute(async (trx) => {
    const active = await trx
      .selectFrom('api_tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirstOrThrow();
    if (Number(active.n) >= MAX_TOKENS_PER_USER) {
      throw new Conflict(`You already have ${MAX_TOKENS_PER_USER} active tokens; revoke one first.`, 'too_many_tokens');
    }
    const row = await trx
      .insertInto('api_tokens')
      .values({ user_id: userId, name, token_hash: hashToken(token), created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, now, {
      actorId: userId,
      action: 'token.created',
      entityType: 'api_token',
      entityId: row.id,
      details: { name },
      ip,
    });
    return row.id;
  });
  return { id, token, name };
}

/** Revokes one of the user's own tokens; someone else's token is simply not found. */
export async function revokeToken(deps: AppDeps, userId: number, tokenId: number, ip?: string): Promise<void> {
  const now = isoNow(deps.clock);
  await deps.db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('api_tokens')
      .set({ revoked_at: now })
      .where('id', '=', tokenId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new NotFound('No such token.');
    await recordAudit(trx, now, {
      actorId: userId,
      action: 'token.revoked',
      entityType: 'api_token',
      entityId: tokenId,
      ip,
    });
  });
}

export async function listTokens(deps: AppDeps, userId: number) {
  return deps.db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_at', 'last_used_at', 'revoked_at'])
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .execute();
}
