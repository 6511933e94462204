import type { Executor } from '../db/transaction';
import type { SelectQueryBuilder } from 'kysely';
import type { Database, SavedCallView } from '../db/schema';
import { idsIn } from '../db/ids';
import { COUNTED_IN_FIGURES } from '../policy';

export interface LatestScore {
  call_id: number;
  evaluation_id: number;
  score: number | null;
  passed: number | null;
  critical_failed: number;
}

/**
 * The newest counted human scorecard of each call on a page (one query for the page, not one per row).
 * Calibration scorecards are practice, not the call's score.
 */
export async function latestScores(db: Executor, callIds: number[]): Promise<Map<number, LatestScore>> {
  const latest = new Map<number, LatestScore>();
  if (callIds.length === 0) return latest;
  const rows = await db
    .selectFrom('evaluations')
    .select(['call_id', 'id as evaluation_id', 'score', 'passed', 'critical_failed', 'submitted_at'])
    .where('call_id', 'in', idsIn(callIds))
    .where('kind', '=', 'standard')
    .where('status', 'in', [...COUNTED_IN_FIGURES])
    .orderBy('submitted_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  for (const { submitted_at: _at, ...row } of rows) if (!latest.has(row.call_id)) latest.set(row.call_id, row);
  return latest;
}

export async function savedViewsOf(db: Executor, userId: number): Promise<SavedCallView[]> {
  return db.selectFrom('saved_call_views').selectAll().where('user_id', '=', userId).orderBy('name').execute();
}

/** Saves (or replaces, by name) one of the person's views. */
export async function saveView(db: Executor, view: Omit<SavedCallView, 'id'>): Promise<void> {
  await db
    .insertInto('saved_call_views')
    .values(view)
    .onConflict((oc) => oc.columns(['user_id', 'name']).doUpdateSet({ query: view.query }))
    .execute();
}

/** Deletes one of the person's own views; true when there was one. */
export async function deleteView(db: Executor, userId: number, id: number): Promise<boolean> {
  const result = await db
    .deleteFrom('saved_call_views')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Calls tagged with a topic (the customer report's links into the call list; src/topics tags them). */
export function taggedWith<Q extends SelectQueryBuilder<Database, 'calls', object>>(query: Q, topicId: number): Q {
  return query.where((eb) =>
    eb.exists(
      eb
        .selectFrom('call_topics as ct')
        .select('ct.call_id')
        .whereRef('ct.call_id', '=', 'calls.id')
        .where('ct.topic_id', '=', topicId),
    ),
  ) as Q;
}
