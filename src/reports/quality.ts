import type { DB } from '../db/database';
import { entryOf } from '../lib/maps';
import { mondayOf } from '../lib/zones';
import { bucketLabels, type Audience, type ReportFilter } from './filters';
import {
  evaluatorRows,
  itemFailuresFromAnswers,
  itemFailuresInRollup,
  namesOf,
  scoreBucketBandRows,
  scoreDaySumsInRollup,
  scoreSumsByCsr,
  scoreSumsByCsrAndEvaluator,
  scoreSumsByTeam,
  scoreSummaryRow,
  scoreTrendRows,
  type ItemFailureRow,
} from './quality.queries';
import { scoreSumsByCsrInRollup, scoreSumsByEvaluatorInRollup } from './rollup-people.queries';
import { refreshRollups, rollupRangeOf, type RollupDays } from './rollups';
import { meanInterval, ratio } from './stats';

export type { Audience } from './filters';
export { itemFailuresFromAnswers } from './quality.queries';

interface ScoreSums {
  n: number;
  total: number;
  squares: number;
  passed: number;
  critical: number;
}

/** Count, average with its 95% interval, pass rate and critical fails from a group's score sums. */
function scoreFigures(sums: ScoreSums) {
  const n = Number(sums.n);
  const { mean, sd, low, high, margin } = meanInterval(n, Number(sums.total), Number(sums.squares));
  // Written out: `{ ...interval, pass_rate, critical_fails }` took V8 over ten times as long (3.6 against 0.2 ms for
  // the quality page's 1,000 CSRs), as properties added after a spread of objects whose fields are sometimes null
  // and sometimes numbers leave the fast path.
  return {
    n,
    mean,
    sd,
    low,
    high,
    margin,
    pass_rate: ratio(Number(sums.passed), n),
    critical_fails: Number(sums.critical),
  };
}

type Summable = { [K in keyof ScoreSums]: number | string | bigint | null };

const noSums = (): ScoreSums => ({ n: 0, total: 0, squares: 0, passed: 0, critical: 0 });

function addSums(to: ScoreSums, row: Partial<Summable>): ScoreSums {
  to.n += Number(row.n ?? 0);
  to.total += Number(row.total ?? 0);
  to.squares += Number(row.squares ?? 0);
  to.passed += Number(row.passed ?? 0);
  to.critical += Number(row.critical ?? 0);
  return to;
}

type TrendSums = Pick<Summable, 'n' | 'total' | 'squares' | 'passed'>;

/** Every bucket of the filter, with its scorecards' mean, interval and pass rate (nulls where none). */
function trendOf(filter: ReportFilter, byBucket: Map<string, TrendSums>) {
  return bucketLabels(filter.fromDate, filter.toDate, filter.group).map((label) => {
    const r = byBucket.get(label);
    const interval = r ? meanInterval(Number(r.n), Number(r.total), Number(r.squares)) : meanInterval(0, 0, 0);
    return { bucket: label, ...interval, pass_rate: r ? ratio(Number(r.passed), Number(r.n)) : null };
  });
}

/** Scores per week (or day) with the number of scorecards behind each point and its 95% interval. */
export async function scoreTrend(db: DB, filter: ReportFilter, audience: Audience) {
  const rows = await scoreTrendRows(db, filter, audience);
  return trendOf(filter, new Map(rows.map((r) => [r.bucket, r])));
}

/**
 * The quality page's trend, summary and distribution from one read (the trend and summary equal scoreTrend's
 * and scoreSummary's, which other pages and the API use alone).
 */
export async function scoreOverview(db: DB, filter: ReportFilter, audience: Audience) {
  // The roll-up counts the staff's view; a CSR's view, an agent or part of a day is summed from the scorecards.
  const days = audience === 'staff' ? rollupRangeOf(filter) : null;
  const rows = days ? await scoreBucketsFromRollup(db, filter, days) : await scoreBucketBandRows(db, filter, audience);
  const byBucket = new Map<string, ScoreSums>();
  const bands = new Map<number, number>();
  const all = noSums();
  for (const row of rows) {
    addSums(entryOf(byBucket, row.bucket, noSums), row);
    for (let band = 0; band < 10; band += 1) {
      bands.set(band, (bands.get(band) ?? 0) + Number(row[`b${band}` as keyof typeof row] ?? 0));
    }
    addSums(all, row);
  }
  return { trend: trendOf(filter, byBucket), summary: scoreFigures(all), distribution: distributionOf(bands) };
}

/** scoreBucketBandRows' sums from the daily roll-up (brought up to date first), each local day in its bucket. */
async function scoreBucketsFromRollup(db: DB, filter: ReportFilter, days: RollupDays) {
  await refreshRollups(db, 'scores', days.fromDay, days.toDay);
  const rows = await scoreDaySumsInRollup(db, filter, days);
  return rows.map((row) => ({ ...row, bucket: filter.group === 'week' ? mondayOf(row.day) : row.day }));
}

/** Count, average with its interval, and pass rate over the whole filter. */
export async function scoreSummary(db: DB, filter: ReportFilter, audience: Audience) {
  return scoreFigures(await scoreSummaryRow(db, filter, audience));
}

/** How often each rubric item fails (answered below full marks; N/A left out): where training helps most. */
export async function itemFailureRates(db: DB, filter: ReportFilter, audience: Audience) {
  // The roll-up counts the staff's view (submitted scorecards too); a CSR's view is counted from the answers.
  const days = audience === 'staff' ? rollupRangeOf(filter) : null;
  const rows = days
    ? await itemFailuresFromRollup(db, filter, days)
    : await itemFailuresFromAnswers(db, filter, audience);
  return rows
    .map((r) => ({
      rubric: r.rubric,
      prompt: r.prompt,
      critical: Number(r.critical) === 1,
      answered: Number(r.answered),
      failed: Number(r.failed),
      rate: ratio(Number(r.failed), Number(r.answered)) ?? 0,
    }))
    .sort((a, b) => b.rate - a.rate || b.failed - a.failed);
}

/** scoreSummary for each team of the filter at once (one grouped query); teams without scorecards are left out. */
export async function scoreSummaryByTeam(db: DB, filter: ReportFilter, audience: Audience) {
  const rows = await scoreSumsByTeam(db, filter, audience);
  return new Map(rows.map((row) => [row.team_id, scoreFigures(row)]));
}

/** Item failures summed from the daily roll-up per team and item (staff view, no agent filter, whole days). */
export async function itemFailuresFromRollup(
  db: DB,
  filter: ReportFilter,
  days: RollupDays,
): Promise<ItemFailureRow[]> {
  await refreshRollups(db, 'scores', days.fromDay, days.toDay);
  return itemFailuresInRollup(db, filter, days);
}

/** Scorecards in ten-point bands (100 falls in 90–100). */
function distributionOf(counts: Map<number, number>) {
  return Array.from({ length: 10 }, (_, band) => ({
    label: band === 9 ? '90–100' : `${band * 10}–${band * 10 + 9}`,
    value: counts.get(band) ?? 0,
  }));
}

/** Evaluators: how many, how long each took on average, and whether they score harder or softer than the rest. */
export async function evaluatorFigures(db: DB, filter: ReportFilter) {
  const rows = await evaluatorRows(db, filter);
  const all = rows.reduce(
    (acc, r) => ({ n: acc.n + Number(r.n), total: acc.total + Number(r.avg_score) * Number(r.n) }),
    { n: 0, total: 0 },
  );
  const overall = all.n ? all.total / all.n : null;
  return {
    overall,
    evaluators: rows.map((r) => ({
      id: r.id,
      name: r.display_name,
      n: Number(r.n),
      avg_time_s: Number(r.avg_time_s),
      avg_score: Number(r.avg_score),
      delta: overall === null ? null : Number(r.avg_score) - overall,
    })),
  };
}

/** Per CSR: count, average with interval, pass rate and critical fails — who needs help most. */
export async function csrFigures(db: DB, filter: ReportFilter, audience: Audience) {
  const rows = await scoreSumsByCsr(db, filter, audience);
  return rows
    .map((r) => ({ id: r.id, name: r.display_name, username: r.username, ...scoreFigures(r) }))
    .sort((a, b) => (a.mean ?? 0) - (b.mean ?? 0) || b.critical_fails - a.critical_fails);
}

interface EvaluatorSums {
  n: number;
  total: number;
  time: number;
}

/**
 * Score sums per CSR and per evaluator: from the daily roll-ups per person (brought up to date first) for whole
 * days, else from one grouped read of the scorecards.
 */
async function peopleSums(db: DB, filter: ReportFilter) {
  const byCsr = new Map<number, ScoreSums>();
  const byEvaluator = new Map<number, EvaluatorSums>();
  const addEvaluator = (id: number, row: { n: unknown; total: unknown; time_total: unknown }) => {
    const e = entryOf(byEvaluator, id, () => ({ n: 0, total: 0, time: 0 }));
    e.n += Number(row.n);
    e.total += Number(row.total ?? 0);
    e.time += Number(row.time_total ?? 0);
  };
  const days = rollupRangeOf(filter);
  if (days) {
    await refreshRollups(db, 'scores', days.fromDay, days.toDay);
    for (const row of await scoreSumsByCsrInRollup(db, filter, days)) {
      addSums(entryOf(byCsr, Number(row.agent_id), noSums), row);
    }
    for (const row of await scoreSumsByEvaluatorInRollup(db, filter, days)) addEvaluator(Number(row.evaluator_id), row);
    return { byCsr, byEvaluator };
  }
  for (const row of await scoreSumsByCsrAndEvaluator(db, filter)) {
    addSums(entryOf(byCsr, Number(row.agent_id), noSums), row);
    addEvaluator(Number(row.evaluator_id), row);
  }
  return { byCsr, byEvaluator };
}

/**
 * The quality page's per-CSR and per-evaluator figures from one grouped read (the same as csrFigures and
 * evaluatorFigures, which the CSV exports use alone).
 */
export async function peopleFigures(db: DB, filter: ReportFilter) {
  const { byCsr, byEvaluator } = await peopleSums(db, filter);
  const people = await namesOf(db, [...new Set([...byCsr.keys(), ...byEvaluator.keys()])]);
  const csrs = people
    .flatMap((p) => {
      const sums = byCsr.get(p.id);
      return sums ? [{ id: p.id, name: p.display_name, username: p.username, ...scoreFigures(sums) }] : [];
    })
    .sort((a, b) => (a.mean ?? 0) - (b.mean ?? 0) || b.critical_fails - a.critical_fails);
  const evaluators = people.flatMap((p) => {
    const sums = byEvaluator.get(p.id);
    return sums ? [{ id: p.id, display_name: p.display_name, ...sums }] : [];
  });
  const all = evaluators.reduce((acc, e) => ({ n: acc.n + e.n, total: acc.total + e.total }), { n: 0, total: 0 });
  const overall = all.n ? all.total / all.n : null;
  return {
    csrs,
    evaluators: {
      overall,
      evaluators: evaluators.map((e) => ({
        id: e.id,
        name: e.display_name,
        n: e.n,
        avg_time_s: e.time / e.n, // time_spent_s is never null
        avg_score: e.total / e.n,
        delta: overall === null ? null : e.total / e.n - overall,
      })),
    },
  };
}
