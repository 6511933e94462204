import { sql } from 'kysely';
import type { Executor } from '../db/transaction';
import { countRows, inTeams } from '../db/fragments';
import { COUNTED_IN_FIGURES } from '../policy';

// The coverage report's reads: calls in the period, the automatic answers (from the coverage roll-up when the
// period is whole local days, else from the stored answers), and the human scorecards' answers on the same items.

export interface CoverageScope {
  from: string;
  to: string;
  teamIds: number[] | 'all';
  agentId?: number;
}

/** Calls taken by an agent in the period and scope. */
export async function callCount(db: Executor, scope: CoverageScope): Promise<number> {
  let query = db
    .selectFrom('calls')
    .where('started_at', '>=', scope.from)
    .where('started_at', '<', scope.to)
    .where('agent_id', 'is not', null);
  query = inTeams(query, 'team_id', scope.teamIds);
  if (scope.agentId) query = query.where('agent_id', '=', scope.agentId);
  return countRows(query);
}

/** A stretch of the coverage roll-up: its day rows or its week rows (keyed by Monday) of [fromDay, toDay). */
export interface CoverageSpan {
  period: 'day' | 'week';
  fromDay: string;
  toDay: string;
}

/**
 * A coverage roll-up table's rows of a rubric version in the spans and scope. Both tables share the key columns;
 * the query is typed as the automatic one's, so the human one's own column is named in SQL by its reader.
 */
function rollupQuery(
  db: Executor,
  table: 'rollup_coverage' | 'rollup_coverage_human',
  rubricId: number,
  spans: CoverageSpan[],
  scope: CoverageScope,
) {
  let query = db
    .selectFrom(table as 'rollup_coverage')
    .select(['team_id', 'agent_id'])
    .where('rubric_id', '=', rubricId)
    .where((eb) =>
      eb.or(
        spans.map((s) => eb.and([eb('period', '=', s.period), eb('day', '>=', s.fromDay), eb('day', '<', s.toDay)])),
      ),
    );
  query = inTeams(query, 'team_id', scope.teamIds);
  if (scope.agentId) query = query.where('agent_id', '=', scope.agentId);
  return query;
}

/** The coverage roll-up's rows of a rubric version in the spans and scope (items as stored, JSON text). */
export async function coverageRollupRows(db: Executor, rubricId: number, spans: CoverageSpan[], scope: CoverageScope) {
  if (!spans.length) return [];
  return rollupQuery(db, 'rollup_coverage', rubricId, spans, scope)
    .select(['evaluated', 'answered', 'items'])
    .execute();
}

/** The human coverage roll-up's rows of a rubric version in the spans and scope (answers as stored, JSON text). */
export async function coverageHumanRollupRows(
  db: Executor,
  rubricId: number,
  spans: CoverageSpan[],
  scope: CoverageScope,
) {
  if (!spans.length) return [];
  return rollupQuery(db, 'rollup_coverage_human', rubricId, spans, scope)
    .select(sql<string>`answers`.as('answers'))
    .execute();
}

/**
 * The stored automatic evaluations of calls in [from, to) with their answers, under the call's team and agent as
 * they are now (periods not of whole local days; and the oracle the roll-up is tested against).
 */
export async function autoRowsInRange(db: Executor, rubricId: number, scope: CoverageScope) {
  let query = db
    .selectFrom('auto_evaluations as e')
    .innerJoin('calls as c', 'c.id', 'e.call_id')
    .leftJoin('auto_evaluation_answers as a', 'a.auto_evaluation_id', 'e.id')
    .select(['e.id', 'c.team_id', 'c.agent_id', 'e.answered as call_answered', 'a.item_id', 'a.failed'])
    .where('e.rubric_id', '=', rubricId)
    .where('c.started_at', '>=', scope.from)
    .where('c.started_at', '<', scope.to);
  query = inTeams(query, 'c.team_id', scope.teamIds);
  if (scope.agentId) query = query.where('c.agent_id', '=', scope.agentId);
  return query.execute();
}

/** Answers of counted human scorecards by this rubric version on calls of the period. */
export async function humanAnswers(db: Executor, rubricId: number, scope: CoverageScope) {
  let query = db
    .selectFrom('evaluations as e')
    .innerJoin('calls as c', 'c.id', 'e.call_id')
    .innerJoin('evaluation_answers as a', 'a.evaluation_id', 'e.id')
    .select(['c.team_id', 'c.agent_id', 'a.item_id', 'a.value'])
    .where('e.rubric_id', '=', rubricId)
    .where('e.kind', '=', 'standard')
    .where('e.status', 'in', [...COUNTED_IN_FIGURES])
    .where('c.started_at', '>=', scope.from)
    .where('c.started_at', '<', scope.to);
  query = inTeams(query, 'c.team_id', scope.teamIds);
  if (scope.agentId) query = query.where('c.agent_id', '=', scope.agentId);
  return query.execute();
}

/** Rubric versions a coverage report can be about: published or retired, auto-mode ones first. */
export async function coverageRubrics(db: Executor) {
  return db
    .selectFrom('rubrics')
    .select(['id', 'name', 'version', 'status', 'auto_mode'])
    .where('status', 'in', ['published', 'retired'])
    .orderBy('status', 'asc')
    .orderBy('name')
    .orderBy('version', 'desc')
    .execute();
}

export async function names(db: Executor, teamIds: number[], userIds: number[]) {
  const [teams, users] = await Promise.all([
    teamIds.length ? db.selectFrom('teams').select(['id', 'name']).where('id', 'in', teamIds).execute() : [],
    userIds.length
      ? db.selectFrom('users').select(['id', 'display_name', 'username']).where('id', 'in', userIds).execute()
      : [],
  ]);
  return { teams, users };
}
