import type { DB } from '../db/database';
import { localDayStartText } from '../lib/date-range';
import { isoWithOffset } from '../lib/zones';
import type { Settings } from '../settings';
import type { ReportFilter } from './filters';
import { intradayReport } from './intraday';
import type { ServiceLevelRow } from './service-level';

/**
 * The `buckets` of GET /api/v1/reports/service-level when `interval` is asked for (API.md, wave 2): local
 * 15/30/60-minute intervals with calls (with handle time and the agents Erlang C needed), or every local day
 * or week of the range; `start` carries the center's offset. Null when no interval was asked for.
 */
export async function serviceLevelBuckets(
  db: DB,
  filter: ReportFilter,
  thresholdS: number,
  settings: Settings,
  periods: ServiceLevelRow[],
) {
  if (filter.intervalMinutes) return (await intradayReport(db, filter, thresholdS, settings)).buckets;
  return filter.interval ? periodBuckets(filter, periods) : null;
}

/** Day or week rows as API buckets: their local midnight with the center's offset. */
export function periodBuckets(filter: ReportFilter, periods: ServiceLevelRow[]) {
  return periods.map((p) => ({
    start: isoWithOffset(Date.parse(localDayStartText(p.bucket, filter.timeZone)), filter.timeZone),
    offered: p.offered,
    answered_within: p.answered_within,
    abandoned: p.abandoned,
    service_level: p.service_level,
    avg_wait_s: p.avg_queue_wait_s,
    avg_hold_s: p.avg_hold_s,
  }));
}
