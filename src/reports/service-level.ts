import type { DB } from '../db/database';
import { getSettings } from '../settings';
import { bucketLabels, type ReportFilter } from './filters';
import { refreshRollups, rollupRangeOf, type RollupDays } from './rollups';
import {
  bucketSumsInRollup,
  fromCalls,
  teamSumsFromCalls,
  teamSumsFromRollup,
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

/** The whole days the roll-up can answer the filter for (no agent, the configured threshold), or null. */
async function rollupRangeFor(db: DB, filter: ReportFilter, thresholdS: number) {
  const days = rollupRangeOf(filter);
  if (!days) return null;
  return thresholdS === (await getSettings(db)).service_level_threshold_s ? days : null;
}

/**
 * Service level per DOMAIN.md: inbound calls answered within T seconds (a wait of exactly T counts) over
 * inbound calls offered (answered + abandoned); abandon rate beside it; average hold = hold seconds over
 * answered inbound calls. Per day or week, plus the total. A period without calls has no figure (null), never 0%.
 */
export async function serviceLevel(db: DB, filter: ReportFilter, thresholdS: number) {
  // The daily roll-up holds the counts for the configured threshold; an agent's figures or another threshold
  // are summed from the calls themselves.
  const days = await rollupRangeFor(db, filter, thresholdS);
  const rows = days ? await fromRollup(db, filter, days) : await fromCalls(db, filter, thresholdS);
  return finishBuckets(filter, rows);
}

/** The service level total of each team of the filter at once (grouped by team; the same rules as serviceLevel). */
export async function serviceLevelByTeam(db: DB, filter: ReportFilter, thresholdS: number) {
  const days = await rollupRangeFor(db, filter, thresholdS);
  let rows: Array<Sums & { team_id: number | null }>;
  if (days) {
    await refreshRollups(db, 'calls', days.fromDay, days.toDay);
    rows = await teamSumsFromRollup(db, filter, days);
  } else {
    rows = await teamSumsFromCalls(db, filter, thresholdS);
  }
  return new Map(rows.map((r) => [r.team_id, finish('total', toSums(r))]));
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

/** Service level summed from the daily roll-up per team (the configured threshold; no agent filter). */
export async function fromRollup(db: DB, filter: ReportFilter, days: RollupDays): Promise<BucketSums[]> {
  await refreshRollups(db, 'calls', days.fromDay, days.toDay);
  return bucketSumsInRollup(db, filter, days);
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
