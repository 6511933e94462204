import type { Response } from 'express';
import { csvResponse, num, pct } from '../lib/csv';
import type { ReportFilter } from './filters';
import type { intradayReport } from './intraday';

/** The service-level CSV by local interval (`interval=15m|30m|60m`): one row per interval with calls. */
export async function intervalCsv(
  res: Response,
  filter: ReportFilter,
  report: Awaited<ReturnType<typeof intradayReport>>,
  thresholdS: number,
): Promise<void> {
  const csv = csvResponse(res, `service-level-${report.minutes}m-${filter.fromDate}-to-${filter.toDate}.csv`, [
    `interval_start (${filter.timeZone})`,
    'offered',
    `answered_within_${thresholdS}s`,
    'abandoned',
    'service_level_pct',
    'avg_wait_s',
    'avg_hold_s',
    'aht_s',
    'agents_needed',
  ]);
  for (const b of report.buckets) {
    await csv.row([
      b.start,
      b.offered,
      b.answered_within,
      b.abandoned,
      pct(b.service_level),
      num(b.avg_wait_s),
      num(b.avg_hold_s),
      num(b.aht_s),
      b.agents_needed,
    ]);
  }
  csv.end();
}
