import type { DB } from '../db/database';
import { num, pct } from '../lib/csv';
import { categoryTrends, csatBreakdown, csatByItem } from './customer';
import type { ReportFilter } from './filters';
import { topicTrends } from './topics';
import { csrFigures, evaluatorFigures, itemFailureRates, scoreTrend } from './quality';

/** A report's table as CSV columns: a header and one row of cells per line. */
export interface ReportTable {
  header: string[];
  rows: unknown[][];
}

/** The tables of the report pages a user may download, by the name in /reports/table/:name.csv. */
export const REPORT_TABLES: Record<string, (db: DB, filter: ReportFilter) => Promise<ReportTable>> = {
  'quality-trend': async (db, f) => ({
    header: [f.group, 'evaluations', 'average', 'ci95_low', 'ci95_high', 'pass_rate_pct'],
    rows: (await scoreTrend(db, f, 'staff')).map((t) => [
      t.bucket,
      t.n,
      num(t.mean),
      num(t.low),
      num(t.high),
      pct(t.pass_rate),
    ]),
  }),
  'quality-items': async (db, f) => ({
    header: ['rubric', 'item', 'critical', 'answered', 'failed', 'failure_rate_pct'],
    rows: (await itemFailureRates(db, f, 'staff')).map((i) => [
      i.rubric,
      i.prompt,
      i.critical ? 'yes' : 'no',
      i.answered,
      i.failed,
      pct(i.rate),
    ]),
  }),
  'quality-csrs': async (db, f) => ({
    header: ['csr', 'evaluations', 'average', 'ci95_low', 'ci95_high', 'pass_rate_pct', 'critical_fails'],
    rows: (await csrFigures(db, f, 'staff')).map((c) => [
      c.name,
      c.n,
      num(c.mean),
      num(c.low),
      num(c.high),
      pct(c.pass_rate),
      c.critical_fails,
    ]),
  }),
  'quality-evaluators': async (db, f) => ({
    header: ['evaluator', 'evaluations', 'avg_minutes', 'avg_score', 'vs_overall'],
    rows: (await evaluatorFigures(db, f)).evaluators.map((e) => [
      e.name,
      e.n,
      num(e.avg_time_s / 60),
      num(e.avg_score),
      num(e.delta),
    ]),
  }),
  'customer-csrs': async (db, f) => ({
    header: ['csr', 'csat', 'calls'],
    rows: (await csatBreakdown(db, f)).agents.map((a) => [a.name, num(a.csat, 2), a.n]),
  }),
  'customer-items': async (db, f) => ({
    header: ['rubric', 'item', 'csat_when_passed', 'calls_passed', 'csat_when_failed', 'calls_failed', 'gap'],
    rows: (await csatByItem(db, f)).map((i) => [
      i.rubric,
      i.prompt,
      num(i.csat_passed, 2),
      i.n_passed,
      num(i.csat_failed, 2),
      i.n_failed,
      num(i.gap, 2),
    ]),
  }),
  'customer-categories': async (db, f) => ({
    header: [f.group, 'category', 'calls', 'evaluations', 'avg_score'],
    rows: (await categoryTrends(db, f)).map((c) => [c.bucket, c.category, c.calls, c.evaluations, num(c.avg_score)]),
  }),
  'customer-topics': async (db, f) => ({
    header: [
      'week',
      'topic',
      'calls',
      'analysed_calls',
      'share_pct',
      'avg_csat',
      'csat_calls',
      'avg_score',
      'scorecards',
    ],
    rows: (await topicTrends(db, f)).map((t) => [
      t.week,
      t.topic,
      t.calls,
      t.analysed,
      pct(t.share),
      num(t.csat, 2),
      t.csat_n,
      num(t.avg_score),
      t.scored,
    ]),
  }),
};
