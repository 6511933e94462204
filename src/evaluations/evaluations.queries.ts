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
  statuses?: Array<Evaluation['status']>;
  rubricId?: number;
  from?: string;
  to?: string;
  beforeId?: number;
  limit: number;
}

/** Evaluations with their call, agent, rubric and evaluator, newest first (keyset on id). */
export async function listEvaluations(db: DB, filter: EvaluationListFilter) {
  let query = db
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
    .where('e.kind', '=', 'standard')
    .orderBy('e.id', 'desc')
    .limit(filter.limit + 1);
  if (filter.teamIds !== 'all') query = query.where('e.team_id', 'in', filter.teamIds.length ? filter.teamIds : [-1]);
  if (filter.agentId) query = query.where('e.agent_id', '=', filter.agentId);
  if (filter.callId) query = query.where('e.call_id', '=', filter.callId);
  if (filter.evaluatorId) query = query.where('e.evaluator_id', '=', filter.evaluatorId);
  if (filter.statuses) query = query.where('e.status', 'in', filter.statuses);
  if (filter.rubricId) query = query.where('e.rubric_id', '=', filter.rubricId);
  if (filter.from) query = query.where('calls.started_at', '>=', `${filter.from}T00:00:00.000Z`);
  if (filter.to) query = query.where('calls.started_at', '<=', `${filter.to}T23:59:59.999Z`);
  if (filter.beforeId) query = query.where('e.id', '<', filter.beforeId);
  const rows = await query.execute();
  const items = rows.slice(0, filter.limit);
  return { items, nextBeforeId: rows.length > filter.limit ? items.at(-1)!.id : null };
}

export type EvaluationRow = Awaited<ReturnType<typeof listEvaluations>>['items'][number];

/** Calls of the given teams with a recording and an agent that nobody has evaluated yet, newest first. */
export async function unscoredCalls(db: DB, teamIds: number[] | 'all', limit: number, category?: string) {
  let query = db
    .selectFrom('calls')
    .innerJoin('users as agent', 'agent.id', 'calls.agent_id')
    .leftJoin('teams', 'teams.id', 'calls.team_id')
    .select([
      'calls.id',
      'calls.external_id',
      'calls.started_at',
      'calls.category',
      'calls.duration_s',
      'agent.display_name as agent_name',
      'teams.name as team_name',
    ])
    .where('calls.evaluation_count', '=', 0)
    .where('calls.recording_status', '=', 'stored')
    .orderBy('calls.started_at', 'desc')
    .limit(limit);
  if (teamIds !== 'all') query = query.where('calls.team_id', 'in', teamIds.length ? teamIds : [-1]);
  if (category) query = query.where('calls.category', '=', category);
  return query.execute();
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
