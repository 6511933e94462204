import { sql } from 'kysely';
import type { EvaluationStatus } from '../db/schema';
import type { Executor } from '../db/transaction';

// What a coaching task's page and its follow-up read of the scorecards behind it.

export async function displayNameOf(db: Executor, userId: number) {
  return db.selectFrom('users').select(['id', 'display_name']).where('id', '=', userId).executeTakeFirst();
}

export async function evaluationAgent(db: Executor, evaluationId: number): Promise<number | undefined> {
  const row = await db.selectFrom('evaluations').select(['agent_id']).where('id', '=', evaluationId).executeTakeFirst();
  return row?.agent_id;
}

/** The scorecard a task was opened for: its scores, rubric and call. */
export async function evaluationSummary(db: Executor, evaluationId: number) {
  return db
    .selectFrom('evaluations as e')
    .innerJoin('rubrics as r', 'r.id', 'e.rubric_id')
    .innerJoin('calls as c', 'c.id', 'e.call_id')
    .select([
      'e.id',
      'e.score',
      'e.raw_score',
      'e.critical_failed',
      'r.name as rubric_name',
      'c.started_at',
      'c.external_id',
    ])
    .where('e.id', '=', evaluationId)
    .executeTakeFirst();
}

/** The moments the scorer marked (a time in the call or a comment) to go through in the session. */
export async function scoringMoments(db: Executor, evaluationId: number) {
  return db
    .selectFrom('evaluation_answers as a')
    .innerJoin('rubric_items as i', 'i.id', 'a.item_id')
    .select(['a.item_id', 'a.at_s', 'a.comment', 'i.prompt'])
    .where('a.evaluation_id', '=', evaluationId)
    .where((eb) => eb.or([eb('a.at_s', 'is not', null), eb('a.comment', 'is not', null)]))
    .execute();
}

/** A scorecard's score and the rubric family it was scored on. */
export async function scoreAndFamily(db: Executor, evaluationId: number) {
  return db
    .selectFrom('evaluations as e')
    .innerJoin('rubrics as r', 'r.id', 'e.rubric_id')
    .select(['e.score', 'r.family_id'])
    .where('e.id', '=', evaluationId)
    .executeTakeFirst();
}

/**
 * The CSR's average score on a rubric family over the counted scorecards of calls MADE before a time and of
 * calls made from it on (DOMAIN.md, Coaching: by call time, not by when the scorecard was submitted).
 */
export async function averagesAroundCallTime(
  db: Executor,
  filter: { csrId: number; familyId: number | null; at: string; statuses: readonly EvaluationStatus[] },
) {
  const before = sql<number>`c.started_at < ${filter.at}`;
  return db
    .selectFrom('evaluations as e')
    .innerJoin('rubrics as r', 'r.id', 'e.rubric_id')
    .innerJoin('calls as c', 'c.id', 'e.call_id')
    .select([
      sql<number | null>`avg(case when ${before} then e.score end)`.as('before'),
      sql<number>`count(case when ${before} then e.score end)`.as('before_n'),
      sql<number | null>`avg(case when not ${before} then e.score end)`.as('after'),
      sql<number>`count(case when not ${before} then e.score end)`.as('after_n'),
    ])
    .where('e.agent_id', '=', filter.csrId)
    .where('r.family_id', '=', filter.familyId)
    .where('e.kind', '=', 'standard')
    .where('e.status', 'in', filter.statuses)
    .where('e.score', 'is not', null)
    .executeTakeFirstOrThrow();
}
