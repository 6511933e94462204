import { sql } from 'kysely';
import type { DB } from '../db/database';
import type { Evaluation } from '../db/schema';
import type { CheckedAnswer } from './answers';

export async function findEvaluation(db: DB, id: number): Promise<Evaluation | undefined> {
  return db.selectFrom('evaluations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function answersOf(db: DB, evaluationId: number) {
  return db.selectFrom('evaluation_answers').selectAll().where('evaluation_id', '=', evaluationId).execute();
}

export async function replaceAnswers(db: DB, evaluationId: number, answers: CheckedAnswer[]): Promise<void> {
  await db.deleteFrom('evaluation_answers').where('evaluation_id', '=', evaluationId).execute();
  await insertAnswers(db, evaluationId, answers);
}

/** Answers of a scorecard that has none yet. */
export async function insertAnswers(db: DB, evaluationId: number, answers: CheckedAnswer[]): Promise<void> {
  if (answers.length === 0) return;
  await db
    .insertInto('evaluation_answers')
    .values(answers.map((a) => ({ evaluation_id: evaluationId, ...a })))
    .execute();
}

export async function openDraftOf(db: DB, callId: number, rubricId: number, evaluatorId: number) {
  return db
    .selectFrom('evaluations')
    .selectAll()
    .where('call_id', '=', callId)
    .where('rubric_id', '=', rubricId)
    .where('evaluator_id', '=', evaluatorId)
    .where('status', '=', 'draft')
    .where('kind', '=', 'standard')
    .executeTakeFirst();
}

export interface EvaluationListFilter {
  teamIds: number[] | 'all';
  agentId?: number;
  evaluatorId?: number;
  callId?: number;
  statuses?: ReadonlyArray<Evaluation['status']>;
  rubricId?: number;
  from?: string;
  to?: string;
  beforeId?: number;
  limit: number;
}

/** Evaluations with their call, agent, rubric and evaluator, newest first (keyset on id). */
export async function listEvaluations(db: DB, filter: EvaluationListFilter) {
  // The page's ids first, from the scorecards alone; then the joins for those few rows only (joining every
  // scorecard of a team before sorting took 30 ms at 100,000 scorecards).
  // With an evaluator, `+` keeps SQLite off the (evaluator, kind) index, which holds every scorecard the
  // evaluator ever made, for the (evaluator, status) or status index (a supervisor's own drafts, say).
  const kind = filter.evaluatorId ? sql`+${sql.ref('e.kind')}` : sql.ref('e.kind');
  let ids = db
    .selectFrom('evaluations as e')
    .select('e.id')
    .where(kind, '=', 'standard')
    .orderBy('e.id', 'desc')
    .limit(filter.limit + 1);
  if (filter.teamIds !== 'all') ids = ids.where('e.team_id', 'in', filter.teamIds.length ? filter.teamIds : [-1]);
  if (filter.agentId) ids = ids.where('e.agent_id', '=', filter.agentId);
  if (filter.callId) ids = ids.where('e.call_id', '=', filter.callId);
  if (filter.evaluatorId) ids = ids.where('e.evaluator_id', '=', filter.evaluatorId);
  if (filter.statuses) {
    // For some teams (and no evaluator), `+` keeps SQLite on the team index (team, status): through the status
    // index it would walk every team's scorecards in that status (half the table for 'submitted').
    const status = filter.teamIds === 'all' || filter.evaluatorId ? sql.ref('e.status') : sql`+${sql.ref('e.status')}`;
    ids = ids.where(status, 'in', filter.statuses);
  }
  if (filter.rubricId) ids = ids.where('e.rubric_id', '=', filter.rubricId);
  if (filter.beforeId) ids = ids.where('e.id', '<', filter.beforeId);
  // The call date filter: each candidate's call looked up by id (not every call of the period gathered).
  if (filter.from) {
    const from = `${filter.from}T00:00:00.000Z`;
    ids = ids.where(sql<string>`(select started_at from calls where calls.id = e.call_id)`, '>=', from);
  }
  if (filter.to) {
    const to = `${filter.to}T23:59:59.999Z`;
    ids = ids.where(sql<string>`(select started_at from calls where calls.id = e.call_id)`, '<=', to);
  }
  const rows = await db
    .selectFrom('evaluations as e')
    .innerJoin('calls', 'calls.id', 'e.call_id')
    .innerJoin('users as agent', 'agent.id', 'e.agent_id')
    .innerJoin('users as evaluator', 'evaluator.id', 'e.evaluator_id')
    .innerJoin('rubrics', 'rubrics.id', 'e.rubric_id')
    .select([
      'e.id',
      'e.call_id',
      'e.rubric_id',
      'e.agent_id',
      'e.team_id',
      'e.status',
      'e.score',
      'e.raw_score',
      'e.passed',
      'e.critical_failed',
      'e.submitted_at',
      'e.released_at',
      'e.acknowledged_at',
      'e.release_due_at',
      'e.updated_at',
      'e.rescore_count',
      'calls.external_id',
      'calls.started_at as call_started_at',
      'calls.category',
      'agent.display_name as agent_name',
      'agent.username as agent_username',
      'evaluator.display_name as evaluator_name',
      'rubrics.name as rubric_name',
      'rubrics.version as rubric_version',
    ])
    .where('e.id', 'in', ids)
    .orderBy('e.id', 'desc')
    .execute();
  const items = rows.slice(0, filter.limit);
  return { items, nextBeforeId: rows.length > filter.limit ? items.at(-1)!.id : null };
}

export type EvaluationRow = Awaited<ReturnType<typeof listEvaluations>>['items'][number];

/** Beyond this many teams the queue is one query over all of them instead of one per team. */
const QUEUE_TEAMS_MERGED_MAX = 50;

function unscoredQuery(db: DB, category: string | undefined) {
  let query = db
    .selectFrom('calls')
    .innerJoin('users as agent', 'agent.id', 'calls.agent_id')
    .leftJoin('teams', 'teams.id', 'calls.team_id')
    .select([
      'calls.id as id',
      'calls.external_id',
      'calls.started_at as started_at',
      'calls.category',
      'calls.duration_s',
      'agent.display_name as agent_name',
      'teams.name as team_name',
    ])
    .where('calls.evaluation_count', '=', 0);
  if (category) query = query.where('calls.category', '=', category);
  return query;
}

/**
 * Calls of the given teams with a recording and an agent that nobody has evaluated yet, newest first.
 * For a team scope, one query per team walks calls_team_started_idx (or calls_team_category_started_idx)
 * newest first, and SQLite merges them and stops after `limit` rows. The unary plus keeps the planner off
 * calls_recording_status_idx: without statistics it takes `recording_status = 'stored'` for selective and
 * likes the order that index gives, then walks every team's recordings to find a few teams' calls.
 */
export async function unscoredCalls(db: DB, teamIds: number[] | 'all', limit: number, category?: string) {
  let query = unscoredQuery(db, category);
  if (teamIds === 'all' || teamIds.length > QUEUE_TEAMS_MERGED_MAX) {
    // Over (nearly) every team, walking the recordings newest first finds unscored calls at once.
    query = query.where('calls.recording_status', '=', 'stored');
    if (teamIds !== 'all') query = query.where('calls.team_id', 'in', teamIds);
  } else {
    const [first, ...rest] = (teamIds.length ? teamIds : [-1]).map((teamId) =>
      unscoredQuery(db, category)
        .where('calls.team_id', '=', teamId)
        .where(sql<string>`+${sql.ref('calls.recording_status')}`, '=', 'stored'),
    );
    query = rest.reduce((merged, arm) => merged.unionAll(arm), first);
  }
  return query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export async function countUnscored(db: DB, teamIds: number[] | 'all'): Promise<number> {
  let query = db
    .selectFrom('calls')
    .select(sql<number>`count(*)`.as('n'))
    .where('calls.evaluation_count', '=', 0)
    .where('calls.recording_status', '=', 'stored')
    .where('calls.agent_id', 'is not', null);
  if (teamIds !== 'all') query = query.where('calls.team_id', 'in', teamIds.length ? teamIds : [-1]);
  return Number((await query.executeTakeFirstOrThrow()).n);
}
