import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, NotFound, Validation } from '../lib/errors';
import { parseInput } from '../lib/validation';
import type { Actor } from '../policy';
import { callListSchema, savedViewSchema } from './calls.schemas';
import { filterParams } from './call-list.view';
import { deleteView, savedViewsOf, saveView } from './list-extras.queries';

const MAX_VIEWS = 30;

/**
 * Saves the person's current call list (its filters and sort, never a page cursor) under a name; a view of
 * the same name is replaced. A query the list would refuse is refused here too.
 */
export async function saveCallView(deps: AppDeps, actor: Actor, input: unknown): Promise<{ name: string }> {
  const { name, query } = parseInput(savedViewSchema, input);
  let parsed;
  try {
    parsed = callListSchema.parse(Object.fromEntries(new URLSearchParams(query)));
  } catch {
    throw new Validation([{ path: 'name', message: 'The current filters are not valid; fix them before saving.' }]);
  }
  const stored = filterParams(parsed).toString();
  await inTransaction(deps.db, async (trx) => {
    const views = await savedViewsOf(trx, actor.id);
    if (views.length >= MAX_VIEWS && !views.some((v) => v.name === name))
      throw new Conflict(`You have ${MAX_VIEWS} saved views; delete one first.`);
    await saveView(trx, { user_id: actor.id, name, query: stored, created_at: isoNow(deps.clock) });
  });
  return { name };
}

export async function deleteCallView(deps: AppDeps, actor: Actor, id: number): Promise<void> {
  const deleted = await inTransaction(deps.db, (trx) => deleteView(trx, actor.id, id));
  if (!deleted) throw new NotFound('No such saved view.');
}
