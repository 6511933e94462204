import { inTeams } from '../db/fragments';
import { sql } from 'kysely';
import { equalsIgnoringCase, unindexed } from '../db/dialect';
import type { Executor } from '../db/transaction';
import type { Evaluation } from '../db/schema';
import type { CheckedAnswer } from './answers';
import { keysetPage } from '../lib/pages';

export async function findEvaluation(db: Executor, id: number): Promise<Evaluation | undefined> {
  return db.selectFrom('evaluations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function answersOf(db: Executor, evaluationId: number) {
  return db.selectFrom('evaluation_answers').selectAll().where('evaluation_id', '=', evaluationId).execute();
}

export async function replaceAnswers(db: Executor, evaluationId: number, answers: CheckedAnswer[]): Promise<void> {
  await db.deleteFrom('evaluation_answers').where('evaluation_id', '=', evaluationId).execute();
  await insertAnswers(db, evaluationId, answers);
}

/** Answers of a scorecard that has none yet. */
export async function insertAnswers(db: Executor, evaluationId: number, answers: CheckedAnswer[]): Promise<void> {
  if (answers.length === 0) return;
  await db
    .insertInto('evaluation_answers')
    .values(answers.map((a) => ({ evaluation_id: evaluationId, ...a })))
    .execute();
}

export async function openDraftOf(db: Executor, callId: number, rubricId: number, evaluatorId: number) {
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
  /** Scorecards of calls started in [callFrom, callBefore): UTC instants (lib/date-range.ts instantRange). */
  callFrom?: string;
  callBefore?: string;
  beforeId?: number;
  limit: number;
}

/** Teams up to this many are read one arm each and merged (see pageIds); more read the id order once. */
const TEAMS_MERGED_MAX = 50;

/**
 * The ids of one page of scorecards matching the filter, newest first, as a subquery. For a few teams (and no
 * CSR, call or evaluator, which have indexes of their own) each team is an arm read newest first through
 * evaluations_team_kind_id_idx and stopped after a page, and the arms' ids are merged: a page costs teams × limit
 * rows on either engine. One query over `team_id in (…)` made SQLite gather and sort every scorecard of the
 * teams (69 ms for two teams at 10M calls).
 */
function pageIds(db: Executor, filter: EvaluationListFilter) {
  const { teamIds } = filter;
  const byTeam = teamIds !== 'all' && teamIds.length <= TEAMS_MERGED_MAX;
  if (!byTeam || filter.agentId || filter.callId || filter.evaluatorId) return idsQuery(db, filter);
  // No team at all is one arm for team -1: no scorecard, the same empty page.
  const [firstTeam = -1, ...otherTeams] = teamIds;
  const arm = (teamId: number) =>
    db.selectFrom(idsQuery(db, { ...filter, teamIds: [teamId] }).as('arm')).select('arm.id');
  const merged = otherTeams.reduce((union, teamId) => union.unionAll(arm(teamId)), arm(firstTeam));
  return merged.orderBy('id', 'desc').limit(filter.limit + 1);
}

/** The ids of one page of scorecards matching the filter, newest first (for one team: an arm of pageIds). */
function idsQuery(db: Executor, filter: EvaluationListFilter) {
  // The page's ids first, from the scorecards alone; then the joins for those few rows only (joining every
  // scorecard of a team before sorting took 30 ms at 100,000 scorecards).
  // With an evaluator, `+` keeps SQLite off the (evaluator, kind) index, which holds every scorecard the
  // evaluator ever made, for the (evaluator, status) or status index (a supervisor's own drafts, say).
  const kind = filter.evaluatorId ? unindexed(db, 'e.kind') : sql.ref('e.kind');
  let ids = db
    .selectFrom('evaluations as e')
    .select('e.id')
    .where(kind, '=', 'standard')
    .orderBy('e.id', 'desc')
    .limit(filter.limit + 1);
  ids = inTeams(ids, 'e.team_id', filter.teamIds);
  if (filter.agentId) ids = ids.where('e.agent_id', '=', filter.agentId);
  if (filter.callId) ids = ids.where('e.call_id', '=', filter.callId);
  if (filter.evaluatorId) ids = ids.where('e.evaluator_id', '=', filter.evaluatorId);
  if (filter.statuses) {
    // For some teams (and no evaluator), `+` keeps SQLite on the team index (team, status): through the status
    // index it would walk every team's scorecards in that status (half the table for 'submitted').
    const status = filter.teamIds === 'all' || filter.evaluatorId ? sql.ref('e.status') : unindexed(db, 'e.status');
    ids = ids.where(status, 'in', filter.statuses);
  }
  if (filter.rubricId) ids = ids.where('e.rubric_id', '=', filter.rubricId);
  if (filter.beforeId) ids = ids.where('e.id', '<', filter.beforeId);
  // The call date filter: each candidate's call looked up by id (not every call of the period gathered).
  if (filter.callFrom)
    ids = ids.where(sql<string>`(select started_at from calls where calls.id = e.call_id)`, '>=', filter.callFrom);
  if (filter.callBefore)
    ids = ids.where(sql<string>`(select started_at from calls where calls.id = e.call_id)`, '<', filter.callBefore);
  return ids;
}

/** Evaluations with their call, agent, rubric and evaluator, newest first (keyset on id). */
export async function listEvaluations(db: Executor, filter: EvaluationListFilter) {
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
    .where('e.id', 'in', pageIds(db, filter))
    .orderBy('e.id', 'desc')
    .execute();
  const { items, last } = keysetPage(rows, filter.limit);
  return { items, nextBeforeId: last?.id ?? null };
}

export type EvaluationRow = Awaited<ReturnType<typeof listEvaluations>>['items'][number];

/** The person picked by username in a list filter, if any. */
export async function userIdByUsername(db: Executor, username: string): Promise<number | undefined> {
  const user = await db
    .selectFrom('users')
    .select('id')
    .where(equalsIgnoringCase(db, 'username', username))
    .executeTakeFirst();
  return user?.id;
}

// What the scoring form and the scorecard page show beside the answers.

export async function callOfEvaluation(db: Executor, evaluation: Pick<Evaluation, 'call_id'>) {
  return db.selectFrom('calls').selectAll().where('id', '=', evaluation.call_id).executeTakeFirstOrThrow();
}

export async function agentOfEvaluation(db: Executor, evaluation: Pick<Evaluation, 'agent_id'>) {
  return db
    .selectFrom('users')
    .select(['id', 'display_name', 'username'])
    .where('id', '=', evaluation.agent_id)
    .executeTakeFirstOrThrow();
}

export async function evaluatorOf(db: Executor, evaluation: Pick<Evaluation, 'evaluator_id'>) {
  return db.selectFrom('users').select(['display_name']).where('id', '=', evaluation.evaluator_id).executeTakeFirst();
}

/** Earlier revisions of a scorecard, newest first, with who replaced each. */
export async function revisionsOf(db: Executor, evaluationId: number) {
  return db
    .selectFrom('evaluation_revisions')
    .leftJoin('users', 'users.id', 'evaluation_revisions.replaced_by')
    .select([
      'evaluation_revisions.id',
      'evaluation_revisions.snapshot',
      'evaluation_revisions.reason',
      'evaluation_revisions.replaced_at',
      'users.display_name as replaced_by_name',
    ])
    .where('evaluation_id', '=', evaluationId)
    .orderBy('evaluation_revisions.id', 'desc')
    .execute();
}
