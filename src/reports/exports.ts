import type { Response } from 'express';
import { sql } from 'kysely';
import type { DB } from '../db/database';
import { csvResponse, type CsvDownload } from '../lib/csv';
import type { ReportFilter } from './filters';

const PAGE_SIZE = 1000;
const SUBMITTED = ['submitted', 'released', 'acknowledged'] as const;

const CALL_HEADER = [
  'id',
  'external_id',
  'started_at',
  'agent',
  'team',
  'direction',
  'category',
  'queue_wait_s',
  'hold_s',
  'duration_s',
  'csat',
  'abandoned',
  'evaluations',
];

const SCORECARD_HEADER = [
  'id',
  'submitted_at',
  'call',
  'agent',
  'evaluator',
  'rubric',
  'version',
  'status',
  'score',
  'raw_score',
  'passed',
  'critical_failed',
  'time_spent_s',
];

/**
 * Writes keyset pages until one comes back short. Pages rather than one long-lived cursor, and a turn of
 * the event loop between them, so other requests are served while a year is exported; once the client
 * has gone away no further page is read.
 */
async function writePages<Row, Key>(
  csv: CsvDownload,
  page: (after: Key | null) => Promise<Row[]>,
  keyOf: (row: Row) => Key,
  cells: (row: Row) => unknown[],
): Promise<void> {
  let after: Key | null = null;
  for (;;) {
    const rows = await page(after);
    if (!(await csv.rows(rows.map(cells)))) return;
    if (rows.length < PAGE_SIZE) return csv.end();
    after = keyOf(rows[rows.length - 1]);
    await new Promise((resolve) => setImmediate(resolve));
    if (!csv.open) return;
  }
}

interface CallKey {
  started_at: string;
  id: number;
}

/** Beyond this many teams one page query walks calls_started_idx for all of them instead of merging. */
const MERGED_TEAMS_MAX = 50;

function callsQuery(db: DB, filter: ReportFilter, after: CallKey | null) {
  let query = db
    .selectFrom('calls')
    .leftJoin('users', 'users.id', 'calls.agent_id')
    .leftJoin('teams', 'teams.id', 'calls.team_id')
    .select([
      'calls.id as id',
      'calls.external_id',
      'calls.started_at as started_at',
      'users.username as agent',
      'teams.name as team',
      'calls.direction',
      'calls.category',
      'calls.queue_wait_s',
      'calls.hold_s',
      'calls.duration_s',
      'calls.csat',
      'calls.abandoned',
      'calls.evaluation_count',
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
async function callsPage(db: DB, filter: ReportFilter, after: CallKey | null) {
  const teamIds = filter.teamIds === 'all' ? [] : filter.teamIds.length ? filter.teamIds : [-1];
  let query = callsQuery(db, filter, after);
  if (teamIds.length > MERGED_TEAMS_MAX) {
    // That many teams hold much of the calls: walking calls_started_idx past the others' is cheap enough.
    query = query.where(sql<number>`+${sql.ref('calls.team_id')}`, 'in', teamIds);
  } else if (teamIds.length > 0) {
    const [first, ...rest] = teamIds.map((id) => callsQuery(db, filter, after).where('calls.team_id', '=', id));
    query = rest.reduce((merged, arm) => merged.unionAll(arm), first);
  }
  return query.orderBy('started_at').orderBy('id').limit(PAGE_SIZE).execute();
}

/** Every call in the filter as CSV, ordered by start time then id, read in keyset pages while it is written out. */
export async function exportCalls(db: DB, filter: ReportFilter, res: Response): Promise<void> {
  const csv = csvResponse(res, `calls-${filter.fromDate}-to-${filter.toDate}.csv`, CALL_HEADER);
  await writePages(
    csv,
    (after: CallKey | null) => callsPage(db, filter, after),
    (r) => ({ started_at: r.started_at, id: r.id }),
    (r) => [
      r.id,
      r.external_id,
      r.started_at,
      r.agent,
      r.team,
      r.direction,
      r.category,
      r.queue_wait_s,
      r.hold_s,
      r.duration_s,
      r.csat,
      r.abandoned ? 'yes' : 'no',
      r.evaluation_count,
    ],
  );
}

interface IdRange {
  first: number;
  last: number;
}

/** The lowest and highest id among the period's scorecards (any team), read from the status and date index. */
async function scorecardIds(db: DB, filter: ReportFilter): Promise<IdRange | null> {
  const range = await db
    .selectFrom('evaluations as e')
    .select([
      sql<number | null>`min(${sql.ref('e.id')})`.as('first'),
      sql<number | null>`max(${sql.ref('e.id')})`.as('last'),
    ])
    .where('e.kind', '=', 'standard')
    .where('e.status', 'in', SUBMITTED)
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
async function scorecardsPage(db: DB, filter: ReportFilter, ids: IdRange, afterId: number) {
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
    .where(sql<string>`+${sql.ref('e.status')}`, 'in', SUBMITTED)
    .where(sql<string>`+${sql.ref('e.submitted_at')}`, '>=', filter.from)
    .where(sql<string>`+${sql.ref('e.submitted_at')}`, '<', filter.to)
    .orderBy('e.id')
    .limit(PAGE_SIZE);
  if (filter.teamIds !== 'all') {
    const teamIds = filter.teamIds.length ? filter.teamIds : [-1];
    query = query.where(sql<number>`+${sql.ref('e.team_id')}`, 'in', teamIds);
  }
  if (filter.agentId) query = query.where('e.agent_id', '=', filter.agentId);
  return query.execute();
}

/** Every submitted scorecard in the filter as CSV, ordered by id, in keyset pages. */
export async function exportEvaluations(db: DB, filter: ReportFilter, res: Response): Promise<void> {
  const ids = await scorecardIds(db, filter);
  const csv = csvResponse(res, `scorecards-${filter.fromDate}-to-${filter.toDate}.csv`, SCORECARD_HEADER);
  await writePages(
    csv,
    async (afterId: number | null) => (ids ? scorecardsPage(db, filter, ids, afterId ?? ids.first - 1) : []),
    (r) => r.id,
    (r) => [
      r.id,
      r.submitted_at,
      r.external_id,
      r.agent,
      r.evaluator,
      r.rubric,
      r.version,
      r.status,
      r.score,
      r.raw_score,
      r.passed === null ? '' : r.passed ? 'yes' : 'no',
      r.critical_failed ? 'yes' : 'no',
      r.time_spent_s,
    ],
  );
}
