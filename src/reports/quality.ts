import type { DB } from '../db/database';
import { bucketLabels, type Audience, type ReportFilter } from './filters';
import {
  evaluatorRows,
  itemFailuresFromAnswers,
  itemFailuresInRollup,
  scoreBandCounts,
  scoreSumsByCsr,
  scoreSumsByTeam,
  scoreSummaryRow,
  scoreTrendRows,
  type ItemFailureRow,
} from './quality.queries';
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
  return {
    ...meanInterval(n, Number(sums.total), Number(sums.squares)),
    pass_rate: ratio(Number(sums.passed), n),
    critical_fails: Number(sums.critical),
  };
}

/** Scores per week (or day) with the number of scorecards behind each point and its 95% interval. */
export async function scoreTrend(db: DB, filter: ReportFilter, audience: Audience) {
  const rows = await scoreTrendRows(db, filter, audience);
  const byBucket = new Map(rows.map((r) => [r.bucket, r]));
  return bucketLabels(filter.fromDate, filter.toDate, filter.group).map((label) => {
    const r = byBucket.get(label);
    const interval = r ? meanInterval(Number(r.n), Number(r.total), Number(r.squares)) : meanInterval(0, 0, 0);
    return { bucket: label, ...interval, pass_rate: r ? ratio(Number(r.passed), Number(r.n)) : null };
  });
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

/** Scores in ten-point bands (100 falls in 90–100). */
export async function scoreDistribution(db: DB, filter: ReportFilter, audience: Audience) {
  const rows = await scoreBandCounts(db, filter, audience);
  const counts = new Map(rows.map((r) => [Number(r.band), Number(r.n)]));
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
