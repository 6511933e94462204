import type { Response } from 'express';
import { CALL_FIGURES, type CallFigure } from '../db/schema';
import type { DB } from '../db/database';
import { csvResponse, type CsvDownload } from '../lib/csv';
import { callsPage, PAGE_SIZE, scorecardIds, scorecardsPage, type CallKey } from './exports.queries';
import type { ReportFilter } from './filters';

const CALL_HEADER = [
  'id',
  'external_id',
  'started_at',
  'agent',
  'team',
  ...CALL_FIGURES,
  'evaluations',
  'analysis',
  'talk_ratio',
  'overtalk_s',
  'overtalk_count',
  'dead_air_total_s',
  'dead_air_longest_s',
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

/** One call's figures as CSV cells, in CALL_FIGURES order; abandoned as yes/no. */
function figureCells(call: Record<CallFigure, unknown>): unknown[] {
  return CALL_FIGURES.map((name) => (name === 'abandoned' ? (call.abandoned ? 'yes' : 'no') : call[name]));
}

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
    const last = rows.at(-1);
    if (rows.length < PAGE_SIZE || last === undefined) return csv.end();
    after = keyOf(last);
    await new Promise((resolve) => setImmediate(resolve));
    if (!csv.open) return;
  }
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
      ...figureCells(r),
      r.evaluation_count,
      ...analysisCells(r),
    ],
  );
}

type AnalysisColumns = {
  analysis_status: string | null;
  recording_status: string | null;
  talk_ratio: number | null;
  overtalk_total_s: number | null;
  overtalk_count: number | null;
  dead_air_total_s: number | null;
  dead_air_longest_s: number | null;
};

/**
 * The analysis state as the API names it (a call without a queued analysis: no_recording, or pending while its
 * recording waits for the queue) and, once done, its figures (empty on mono where a figure does not exist).
 */
function analysisCells(r: AnalysisColumns): unknown[] {
  const queued = r.analysis_status === 'running' ? 'pending' : r.analysis_status;
  const state = queued ?? (r.recording_status === 'stored' ? 'pending' : 'no_recording');
  if (state !== 'done') return [state, '', '', '', '', ''];
  return [state, r.talk_ratio, r.overtalk_total_s, r.overtalk_count, r.dead_air_total_s, r.dead_air_longest_s];
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
