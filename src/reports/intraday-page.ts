import type { DB } from '../db/database';
import type { Settings } from '../settings';
import type { ReportFilter } from './filters';
import type { SlotSums } from './intraday.queries';
import {
  forecastOf,
  forecastRange,
  forecastWeek,
  intradayOf,
  intradayReport,
  onQuarterHour,
  slotSums,
} from './intraday';

/**
 * The slots of `slots` that start in the range. Slots are read back as ISO text on both engines (the format
 * toISOString writes, which the roll-up's own range conditions compare as text too), so text order is time order.
 */
function within(slots: SlotSums[], range: { start: number; end: number }) {
  const [start, end] = [new Date(range.start).toISOString(), new Date(range.end).toISOString()];
  return slots.filter((s) => s.slot >= start && s.slot < end);
}

const msOf = (range: { start: string; end: string }) => ({
  start: Date.parse(range.start),
  end: Date.parse(range.end),
});

/**
 * The service level page's intraday report and coming week's forecast. Both sum the 15-minute slots, the report
 * over its range and the forecast over the last weeks: when the two ranges meet and ask the same slots (the
 * configured threshold, no agent chosen), one read of their span serves both, each taking its own slots from it.
 * Neither wants intervals, only where the slots fall locally, so the span is read as week patterns (slotSums).
 */
export async function intradayAndForecast(
  db: DB,
  filter: ReportFilter,
  thresholdS: number,
  settings: Settings,
  now: Date,
) {
  const forecast = forecastRange(filter, settings, now);
  const [a, b] = [msOf({ start: filter.from, end: filter.to }), msOf(forecast)];
  // Slots are whole quarter hours: a range that cuts one is summed from the calls, and must be read on its own.
  const onQuarters = [filter.from, filter.to, forecast.start, forecast.end].every(onQuarterHour);
  const meet = a.start <= b.end && b.start <= a.end;
  if (filter.agentId || thresholdS !== settings.service_level_threshold_s || !onQuarters || !meet) {
    return Promise.all([
      intradayReport(db, filter, thresholdS, settings, { everyInterval: false }),
      forecastWeek(db, filter, settings, now),
    ]);
  }
  const span = {
    start: new Date(Math.min(a.start, b.start)).toISOString(),
    end: new Date(Math.max(a.end, b.end)).toISOString(),
  };
  // Read as week patterns cut at both ranges' ends, so that `within` still takes each range's own.
  const slots = await slotSums(db, { teamIds: filter.teamIds }, span, thresholdS, {
    timeZone: filter.timeZone,
    cuts: [filter.from, filter.to, forecast.start, forecast.end],
  });
  return [
    intradayOf(within(slots, a), filter, thresholdS, settings, { everyInterval: false }),
    forecastOf(within(slots, b), filter, settings, now),
  ] as const;
}
