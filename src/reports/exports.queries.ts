import { unindexed } from '../db/dialect';
import { sql } from 'kysely';
import type { Executor } from '../db/transaction';
import { CALL_FIGURE_COLUMNS } from '../db/schema';
import { COUNTED_IN_FIGURES } from '../policy';
import { teamFilterOf, type ReportFilter } from './filters';

/** Rows per keyset page of an export. */
export const PAGE_SIZE = 1000;

export interface CallKey {
  started_at: string;
  id: number;
}

/** Beyond this many teams one page query walks calls_started_idx for all of them instead of merging. */
const MERGED_TEAMS_MAX = 50;

function callsQuery(db: Executor, filter: ReportFilter, after: CallKey | null) {
  let query = db
    .selectFrom('calls')
    .leftJoin('users', 'users.id', 'calls.agent_id')
    .leftJoin('teams', 'teams.id', 'calls.team_id')
    .leftJoin('call_analyses as analysis', 'analysis.call_id', 'calls.id')
    .select([
      'calls.id as id',
      'calls.external_id',
      'calls.started_at as started_at',
      'users.username as agent',
      'teams.name as team',
      ...CALL_FIGURE_COLUMNS,
      'calls.evaluation_count',
      'analysis.status as analysis_status',
      'calls.recording_status',
      'analysis.talk_ratio',
      'analysis.overtalk_total_s',
      'analysis.overtalk_count',
      'analysis.dead_air_total_s',
      'analysis.dead_air_longest_s',
    ])
    .where((eb) =>
      // A row value is a range SQLite seeks to in the (…, started_at, id) indexes; `started_at > x or
      // (started_at = x and id > y)` is not, and made every page read the period again from its start.
      after
        ? eb(eb.refTuple('calls.started_at', 'calls.id'), '>', eb.tuple(after.started_at, after.id))
        : eb('calls.started_at', '>=', filter.from),
    )
    .where('calls.started_at', '<', filter.to);
  if (filter.agentId) query = query.where('calls.agent_id', '=', filter.agentId);
  return query;
}

/**
 * The next page of calls in (started_at, id) order. For a team scope, one query per team through
 * calls_team_started_idx, merged by SQLite in that order (UNION ALL … ORDER BY reads each only as far as
 * the page needs): `team_id in (…)` instead makes SQLite sort every remaining call of those teams for each page.
 */
export async function callsPage(db: Executor, filter: ReportFilter, after: CallKey | null) {
  const teamIds = teamFilterOf(filter) ?? [];
  let query = callsQuery(db, filter, after);
  if (teamIds.length > MERGED_TEAMS_MAX) {
    // That many teams hold much of the calls: walking calls_started_idx past the others' is cheap enough.
    query = query.where(unindexed(db, 'calls.team_id'), 'in', teamIds);
  } else {
    const [first, ...rest] = teamIds.map((id) => callsQuery(db, filter, after).where('calls.team_id', '=', id));
    if (first) query = rest.reduce((merged, arm) => merged.unionAll(arm), first);
  }
  return query.orderBy('started_at').orderBy('id').limit(PAGE_SIZE).execute();
}

export interface IdRange {
  first: number;
  last: number;
}

/** The lowest and highest id among the period's scorecards (any team), read from the status and date index. */
export async function scorecardIds(db: Executor, filter: ReportFilter): Promise<IdRange | null> {
  const range = await db
    .selectFrom('evaluations as e')
    .select([
      sql<number | null>`min(${sql.ref('e.id')})`.as('first'),
      sql<number | null>`max(${sql.ref('e.id')})`.as('last'),
    ])
    .where('e.kind', '=', 'standard')
    .where('e.status', 'in', COUNTED_IN_FIGURES)
    .where('e.submitted_at', '>=', filter.from)
    .where('e.submitted_at', '<', filter.to)
    .executeTakeFirstOrThrow();
  return range.first === null || range.last === null ? null : { first: range.first, last: range.last };
}

/**
 * The next page of scorecards by id, walking the primary key from the last id to the period's last one.
 * Unary plus keeps the status, date and team terms off their indexes, which would make SQLite sort every
 * remaining scorecard of the period (or of the teams) for each page.
 */
export async function scorecardsPage(db: Executor, filter: ReportFilter, ids: IdRange, afterId: number) {
  let query = db
    .selectFrom('evaluations as e')
    .innerJoin('users as agent', 'agent.id', 'e.agent_id')
    .innerJoin('users as evaluator', 'evaluator.id', 'e.evaluator_id')
    .innerJoin('rubrics as r', 'r.id', 'e.rubric_id')
    .innerJoin('calls as c', 'c.id', 'e.call_id')
    .select([
      'e.id',
      'e.submitted_at',
      'c.external_id',
      'agent.username as agent',
      'evaluator.username as evaluator',
      'r.name as rubric',
      'r.version',
      'e.status',
      'e.score',
      'e.raw_score',
      'e.passed',
      'e.critical_failed',
      'e.time_spent_s',
    ])
    .where('e.id', '>', afterId)
    .where('e.id', '<=', ids.last)
    .where('e.kind', '=', 'standard')
    .where(unindexed(db, 'e.status'), 'in', COUNTED_IN_FIGURES)
    .where(unindexed(db, 'e.submitted_at'), '>=', filter.from)
    .where(unindexed(db, 'e.submitted_at'), '<', filter.to)
    .orderBy('e.id')
    .limit(PAGE_SIZE);
  const teamIds = teamFilterOf(filter);
  if (teamIds) query = query.where(unindexed(db, 'e.team_id'), 'in', teamIds);
  if (filter.agentId) query = query.where('e.agent_id', '=', filter.agentId);
  return query.execute();
}
