import type { DB } from '../db/database';
import { getSettings } from '../settings';
import { bucketLabels, type ReportFilter } from './filters';
import { refreshRollups, rollupRangeOf, type RollupDays } from './rollups';
import { WAIT_CAP_S, waitCells } from './rollup-team-day.queries';
import {
  bucketSumsInRollup,
  fromCalls,
  teamSumsFromCalls,
  teamSumsFromRollup,
  waitRowsInRollup,
  type BucketSums,
  type Sums,
} from './service-level.queries';
import { ratio } from './stats';

export { fromCalls, type Sums } from './service-level.queries';

export interface ServiceLevelRow {
  bucket: string;
  offered: number;
  answered_within: number;
  abandoned: number;
  answered: number;
  service_level: number | null;
  abandon_rate: number | null;
  avg_queue_wait_s: number | null;
  avg_hold_s: number | null;
}

export function emptySums(): Sums {
  return {
    offered: 0,
    answered_within: 0,
    abandoned: 0,
    answered: 0,
    wait_total: 0,
    inbound_answered: 0,
    hold_total: 0,
  };
}

/** The figures of a total (no calls: null rates, never 0%). */
export function serviceLevelTotal(s: Sums): ServiceLevelRow {
  return finish('total', s);
}

function finish(bucket: string, s: Sums): ServiceLevelRow {
  return {
    bucket,
    offered: s.offered,
    answered_within: s.answered_within,
    abandoned: s.abandoned,
    answered: s.answered,
    service_level: ratio(s.answered_within, s.offered),
    abandon_rate: ratio(s.abandoned, s.offered),
    avg_queue_wait_s: ratio(s.wait_total, s.inbound_answered),
    avg_hold_s: ratio(s.hold_total, s.answered),
  };
}

/**
 * How the roll-up answers the filter at a threshold, or null (not whole days, or an agent): the configured
 * threshold from its `within_threshold` column, another one up to an hour from its wait histograms.
 */
async function rollupRangeFor(db: DB, filter: ReportFilter, thresholdS: number) {
  const days = rollupRangeOf(filter);
  if (!days) return null;
  if (thresholdS === (await getSettings(db)).service_level_threshold_s) return { days, withinAt: undefined };
  return thresholdS <= WAIT_CAP_S ? { days, withinAt: thresholdS } : null;
}

/**
 * Service level per DOMAIN.md: inbound calls answered within T seconds (a wait of exactly T counts) over
 * inbound calls offered (answered + abandoned); abandon rate beside it; average hold = hold seconds over
 * answered inbound calls. Per day or week, plus the total. A period without calls has no figure (null), never 0%.
 */
export async function serviceLevel(db: DB, filter: ReportFilter, thresholdS: number) {
  // The daily roll-up answers whole days without an agent; an agent's figures or a threshold over an hour are
  // summed from the calls themselves.
  const range = await rollupRangeFor(db, filter, thresholdS);
  const rows = range
    ? await fromRollup(db, filter, range.days, range.withinAt)
    : await fromCalls(db, filter, thresholdS);
  return finishBuckets(filter, rows);
}

/** The service level total of each team of the filter at once (grouped by team; the same rules as serviceLevel). */
export async function serviceLevelByTeam(db: DB, filter: ReportFilter, thresholdS: number) {
  const range = await rollupRangeFor(db, filter, thresholdS);
  let rows: Array<Sums & { team_id: number | null }>;
  if (range) {
    await refreshRollups(db, 'calls', range.days.fromDay, range.days.toDay);
    rows = await teamSumsFromRollup(db, filter, range.days);
    if (range.withinAt !== undefined) {
      const within = await withinFromWaits(db, filter, range.days, range.withinAt, (row) => row.team_id || null);
      rows = rows.map((r) => ({
        ...r,
        answered_within: within.get(r.team_id === null ? null : Number(r.team_id)) ?? 0,
      }));
    }
  } else {
    rows = await teamSumsFromCalls(db, filter, thresholdS);
  }
  return new Map(rows.map((r) => [r.team_id, finish('total', toSums(r))]));
}

/** Answered inbound calls within `thresholdS` from the roll-up's wait histograms, summed per key of a row. */
async function withinFromWaits<K>(
  db: DB,
  filter: ReportFilter,
  days: RollupDays,
  thresholdS: number,
  keyOf: (row: { day: string; team_id: number }) => K,
): Promise<Map<K, number>> {
  const sums = new Map<K, number>();
  for (const row of await waitRowsInRollup(db, filter, days)) {
    let within = 0;
    for (const [seconds, calls] of waitCells(row.waits)) if (seconds <= thresholdS) within += calls;
    const key = keyOf({ day: row.day, team_id: Number(row.team_id) });
    sums.set(key, (sums.get(key) ?? 0) + within);
  }
  return sums;
}

function toSums(raw: Sums): Sums {
  return {
    offered: Number(raw.offered),
    answered_within: Number(raw.answered_within),
    abandoned: Number(raw.abandoned),
    answered: Number(raw.answered),
    wait_total: Number(raw.wait_total),
    inbound_answered: Number(raw.inbound_answered),
    hold_total: Number(raw.hold_total),
  };
}

/**
 * Service level summed from the daily roll-up per bucket (no agent filter): at the configured threshold, or at
 * `withinAt` seconds from the wait histograms.
 */
export async function fromRollup(
  db: DB,
  filter: ReportFilter,
  days: RollupDays,
  withinAt?: number,
): Promise<BucketSums[]> {
  await refreshRollups(db, 'calls', days.fromDay, days.toDay);
  const rows = await bucketSumsInRollup(db, filter, days);
  if (withinAt === undefined) return rows;
  const labels = bucketLabels(filter.fromDate, filter.toDate, filter.group);
  // A day's bucket is the last label on or before it (labels are days or Mondays, in order).
  const bucketOf = ({ day }: { day: string }) => labels.findLast((label) => label <= day) ?? labels[0] ?? day;
  const within = await withinFromWaits(db, filter, days, withinAt, bucketOf);
  return rows.map((r) => ({ ...r, answered_within: within.get(r.bucket) ?? 0 }));
}

function finishBuckets(filter: ReportFilter, rows: BucketSums[]) {
  const byBucket = new Map(rows.map((r) => [r.bucket, r]));
  const zero = emptySums();
  const total = emptySums();
  const buckets = bucketLabels(filter.fromDate, filter.toDate, filter.group).map((label) => {
    const raw = byBucket.get(label);
    const sums: Sums = raw ? toSums(raw) : zero;
    for (const key of Object.keys(total) as Array<keyof Sums>) total[key] += sums[key];
    return finish(label, sums);
  });
  return { buckets, total: finish('total', total) };
}

/** The service-level report of a filter at its threshold: the one it names, else the configured one. */
export async function serviceLevelReport(db: DB, filter: ReportFilter) {
  const settings = await getSettings(db);
  const threshold = filter.thresholdS ?? settings.service_level_threshold_s;
  return { settings, threshold, report: await serviceLevel(db, filter, threshold) };
}
