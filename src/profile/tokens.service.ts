import { recordChange } from '../audit';
import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, NotFound } from '../lib/errors';
import { hashToken, newToken } from '../lib/tokens';
import { parseInput } from '../lib/validation';
import { tokenNameSchema } from '../users';
import { countActiveTokens, insertToken, listTokensOf, revokeOwnToken } from './tokens.queries';

const MAX_TOKENS_PER_USER = 20;

/** Creates a personal access token; the plain token is returned once and only its hash is stored. */
export async function createToken(deps: AppDeps, userId: number, raw: unknown, ip?: string) {
  const { name } = parseInput(tokenNameSchema, raw);
  const token = newToken();
  const now = isoNow(deps.clock);
  const id = await inTransaction(deps.db, async (trx) => {
    if ((await countActiveTokens(trx, userId)) >= MAX_TOKENS_PER_USER) {
      throw new Conflict(`You already have ${MAX_TOKENS_PER_USER} active tokens; revoke one first.`, 'too_many_tokens');
    }
    const tokenId = await insertToken(trx, { user_id: userId, name, token_hash: hashToken(token), created_at: now });
    await recordChange(trx, now, { actorId: userId, ip }, 'token.created', ['api_token', tokenId], { name });
    return tokenId;
  });
  return { id, token, name };
}

/** Revokes one of the user's own tokens; someone else's token is simply not found. */
export async function revokeToken(deps: AppDeps, userId: number, tokenId: number, ip?: string): Promise<void> {
  const now = isoNow(deps.clock);
  await inTransaction(deps.db, async (trx) => {
    if (!(await revokeOwnToken(trx, userId, tokenId, now))) throw new NotFound('No such token.');
    await recordChange(trx, now, { actorId: userId, ip }, 'token.revoked', ['api_token', tokenId]);
  });
}

export async function listTokens(deps: AppDeps, userId: number) {
  return listTokensOf(deps.db, userId);
}
