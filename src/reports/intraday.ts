import type { DB } from '../db/database';
import { inTransaction } from '../db/transaction';
import { entryOf } from '../lib/maps';
import { addDays, cachedOffsetMs, isoWithOffset, localWeekdayMinute, mondayOf } from '../lib/zones';
import { localDateOf, localDayStartText } from '../lib/date-range';
import { getSettings, type Settings } from '../settings';
import { agentsNeeded } from './erlang';
import type { ReportFilter } from './filters';
import {
  slotSumsFromCalls,
  slotSumsFromRollup,
  weekPatternSumsFromRollup,
  type PatternSums,
  type SlotSums,
} from './intraday.queries';
import { markStale, slotDaysOfOtherThreshold } from './rollups.queries';
import { nextDay, refreshRollups } from './rollups';
import { ratio } from './stats';

// Intraday service level and staffing (DOMAIN.md, Time; issue 18): 15-, 30- or 60-minute local intervals summed
// from 15-minute UTC slots (the roll-up, or the calls themselves), a heat map by weekday and time of day, the
// agents Erlang C says each interval needed, and a forecast for the coming week.

export type IntervalMinutes = 15 | 30 | 60;

const QUARTER_MS = 900_000;

interface Acc {
  offered: number;
  answered: number;
  abandoned: number;
  within: number;
  wait: number;
  hold: number;
  handle: number;
}

const emptyAcc = (): Acc => ({ offered: 0, answered: 0, abandoned: 0, within: 0, wait: 0, hold: 0, handle: 0 });

function add(acc: Acc, s: SlotSums): void {
  acc.offered += Number(s.offered);
  acc.answered += Number(s.answered);
  acc.abandoned += Number(s.abandoned);
  acc.within += Number(s.within_threshold);
  acc.wait += Number(s.wait_total);
  acc.hold += Number(s.hold_total);
  acc.handle += Number(s.handle_total);
}

/** What staffing needs from the settings: target share, threshold and after-call work. */
export interface StaffingBasis {
  target: number;
  thresholdS: number;
  afterCallWorkS: number;
  minutes: IntervalMinutes;
}

/** An interval's service level as DOMAIN.md counts it, its waits and handle time. */
function levelFigures(acc: Acc, basis: StaffingBasis) {
  const talkS = ratio(acc.handle, acc.answered);
  return {
    offered: acc.offered,
    answered_within: acc.within,
    abandoned: acc.abandoned,
    service_level: ratio(acc.within, acc.offered),
    avg_wait_s: ratio(acc.wait, acc.answered),
    avg_hold_s: ratio(acc.hold, acc.answered),
    aht_s: talkS === null ? null : talkS + basis.afterCallWorkS,
  };
}

/** An interval's figures (levelFigures) and the agents Erlang C needs for its calls of an average day. */
function figures(acc: Acc, basis: StaffingBasis, days = 1) {
  const level = levelFigures(acc, basis);
  const ahtS = level.aht_s;
  const perDay = acc.offered / days;
  // Object.assign, not `{ ...level, agents_needed }`: see scoreFigures in quality.ts.
  return Object.assign(level, {
    agents_needed:
      ahtS === null
        ? 0
        : agentsNeeded({
            calls: perDay,
            ahtS,
            intervalS: basis.minutes * 60,
            target: basis.target,
            thresholdS: basis.thresholdS,
          }),
  });
}

/** Whether an instant is on a quarter hour: where a slot roll-up can answer a range from its slots alone. */
export const onQuarterHour = (iso: string) => Date.parse(iso) % QUARTER_MS === 0;

/**
 * What a caller that wants only where slots fall locally (their local weekday and time of day, not their intervals)
 * asks of slotSums: the zone, and the instants its own ranges start and end at (each a quarter hour).
 */
export interface PatternRequest {
  timeZone: string;
  cuts: string[];
}

/**
 * The 15-minute slot sums of [start, end): from the slot roll-up when it can answer (no agent, the configured
 * threshold, a range on quarter hours), brought up to date first; else from the calls.
 *
 * With a `pattern`, the roll-up's answer is summed in SQL per week pattern instead (weekPatternRows): rows that
 * stand for many slots each, with the local weekday and time of day (placeOf) and the ranges (`pattern.cuts`) of
 * every slot they sum, but whose local intervals are no longer theirs. 7,474 slot rows for 90 days at 1M calls
 * become ~700.
 */
export async function slotSums(
  db: DB,
  filter: Pick<ReportFilter, 'teamIds' | 'agentId'>,
  range: { start: string; end: string },
  thresholdS: number,
  pattern?: PatternRequest,
): Promise<SlotSums[]> {
  const configured = (await getSettings(db)).service_level_threshold_s;
  const { start, end } = range;
  if (filter.agentId || thresholdS !== configured || !onQuarterHour(start) || !onQuarterHour(end)) {
    return slotSumsFromCalls(db, filter, start, end, thresholdS);
  }
  const lastDay = new Date(Date.parse(end) - 1).toISOString().slice(0, 10);
  await refreshRollups(db, 'calls', start.slice(0, 10), nextDay(lastDay));
  const other = await slotDaysOfOtherThreshold(db, start, end, configured);
  if (other.length) {
    await inTransaction(db, (trx) => markStale(trx, 'calls', other));
    await refreshRollups(db, 'calls', start.slice(0, 10), nextDay(lastDay));
  }
  if (pattern && pattern.cuts.every(onQuarterHour)) {
    const cuts = patternCuts(Date.parse(start), Date.parse(end), pattern);
    return weekPatternRows(await weekPatternSumsFromRollup(db, filter, cuts), cuts);
  }
  return slotSumsFromRollup(db, filter, start, end);
}

const WEEK_MINUTES = 7 * 24 * 60;
const minuteOfWeek = (ms: number) => ((Math.floor(ms / 60_000) % WEEK_MINUTES) + WEEK_MINUTES) % WEEK_MINUTES;

/**
 * The cuts of a pattern read over [start, end): its ends, the caller's cuts within it, and every quarter hour
 * whose UTC offset in the zone differs from the quarter hour's before (a slot is placed by its start's offset,
 * placeOf), so that each segment between two cuts has one offset. Checked hourly, then by the quarter where an
 * hour's last quarter differs from the quarter before the hour: a zone changes its offset at most once an hour.
 */
export function patternCuts(startMs: number, endMs: number, pattern: PatternRequest): string[] {
  const cuts = new Set<number>([startMs, endMs]);
  for (const cut of pattern.cuts) {
    const ms = Date.parse(cut);
    if (ms > startMs && ms < endMs) cuts.add(ms);
  }
  const offsetAt = (ms: number) => cachedOffsetMs(ms, pattern.timeZone);
  let before = offsetAt(startMs); // the offset of the last quarter hour looked at
  for (let hour = startMs; hour < endMs; hour += 4 * QUARTER_MS) {
    const last = offsetAt(Math.min(hour + 4 * QUARTER_MS, endMs) - QUARTER_MS);
    if (last === before) continue;
    for (let q = hour; q < endMs; q += QUARTER_MS) {
      if (offsetAt(q) !== before) {
        cuts.add(q);
        break;
      }
    }
    before = last;
  }
  return [...cuts].sort((a, b) => a - b).map((ms) => new Date(ms).toISOString());
}

/**
 * Pattern sums as slot rows: each row's slot is the first quarter hour of its segment at its minute of the UTC week.
 * That instant is in the segment (the slots it sums are it and whole weeks after it), so it has their offset,
 * their local weekday and time of day, and falls in the same caller's ranges.
 */
function weekPatternRows(rows: PatternSums[], cuts: string[]): SlotSums[] {
  const starts = cuts.map((cut) => Date.parse(cut));
  return rows.map((row) => {
    const segmentStart = starts[Number(row.segment)] ?? NaN;
    const ahead = (Number(row.minute_of_week) - minuteOfWeek(segmentStart) + WEEK_MINUTES) % WEEK_MINUTES;
    return {
      slot: new Date(segmentStart + ahead * 60_000).toISOString(),
      offered: row.offered,
      answered: row.answered,
      abandoned: row.abandoned,
      within_threshold: row.within_threshold,
      wait_total: row.wait_total,
      hold_total: row.hold_total,
      handle_total: row.handle_total,
    };
  });
}

/** Where a slot falls locally: the start of its local interval (ms), weekday and interval of the day (minutes). */
function placeOf(slot: string, timeZone: string, minutes: IntervalMinutes) {
  const ms = Date.parse(slot);
  const local = localWeekdayMinute(ms, timeZone);
  const offset = local.minute % minutes;
  return { startMs: ms - offset * 60_000, weekday: local.weekday, minuteOfDay: local.minute - offset };
}

export function timeOfDay(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

/**
 * The intraday report of a filter: every interval with calls (`buckets`: the API and CSV; left empty with
 * `everyInterval: false`, as the page shows only the rest: 4,320 intervals' Erlang C for 90 days at 30 minutes),
 * the heat map, and the table by time of day.
 */
export async function intradayReport(
  db: DB,
  filter: ReportFilter,
  thresholdS: number,
  settings: Settings,
  options: { everyInterval?: boolean } = {},
) {
  // The page wants no intervals (everyInterval: false): only where slots fall, which a week pattern keeps.
  const pattern = options.everyInterval === false ? { timeZone: filter.timeZone, cuts: [] } : undefined;
  const slots = await slotSums(db, filter, { start: filter.from, end: filter.to }, thresholdS, pattern);
  return intradayOf(slots, filter, thresholdS, settings, options);
}

/** intradayReport from the slot sums of the filter's range. */
export function intradayOf(
  slots: SlotSums[],
  filter: ReportFilter,
  thresholdS: number,
  settings: Settings,
  { everyInterval = true }: { everyInterval?: boolean } = {},
) {
  const minutes: IntervalMinutes = filter.intervalMinutes ?? 30;
  const basis: StaffingBasis = {
    target: settings.service_level_target_pct / 100,
    thresholdS,
    afterCallWorkS: settings.after_call_work_s,
    minutes,
  };
  const intervals = new Map<number, Acc>();
  const cells = new Map<string, Acc>();
  const times = new Map<number, Acc>();
  const total = emptyAcc();
  for (const slot of slots) {
    const place = placeOf(slot.slot, filter.timeZone, minutes);
    if (everyInterval) add(entryOf(intervals, place.startMs, emptyAcc), slot);
    add(entryOf(cells, `${place.weekday}|${place.minuteOfDay}`, emptyAcc), slot);
    add(entryOf(times, place.minuteOfDay, emptyAcc), slot);
    add(total, slot);
  }
  const days = dayCount(filter.fromDate, filter.toDate);
  return {
    minutes,
    basis,
    buckets: [...intervals.entries()]
      .sort(([a], [b]) => a - b)
      .map(([ms, acc]) => ({ start: isoWithOffset(ms, filter.timeZone), ...figures(acc, basis) })),
    heatmap: heatmapOf(cells, basis, minutes),
    byTime: [...times.entries()]
      .sort(([a], [b]) => a - b)
      .map(([minute, acc]) => ({ time: timeOfDay(minute), ...figures(acc, basis, days) })),
    total: figures(total, basis, Math.max(1, (days * 24 * 60) / minutes)),
  };
}

/** Days from fromDate to toDate, both counted (YYYY-MM-DD, validated by the filter): 1 at least, 4,000 at most. */
function dayCount(fromDate: string, toDate: string): number {
  const days = Math.round((Date.parse(toDate) - Date.parse(fromDate)) / 86_400_000);
  return Number.isFinite(days) ? Math.min(4000, Math.max(1, days + 1)) : 1;
}

/**
 * Service level by weekday (Monday first) × time of day, over the times of day that had calls. A cell sums every
 * week of the range, so it has no staffing figure: the agents for that sum would be no day's.
 */
function heatmapOf(cells: Map<string, Acc>, basis: StaffingBasis, minutes: IntervalMinutes) {
  const used = [...new Set([...cells.keys()].map((key) => Number(key.split('|')[1])))].sort((a, b) => a - b);
  const first = used[0] ?? 8 * 60;
  const last = used[used.length - 1] ?? 17 * 60;
  const rows = [];
  for (let minute = first; minute <= last; minute += minutes) {
    const row = [0, 1, 2, 3, 4, 5, 6].map((weekday) => {
      const acc = cells.get(`${weekday}|${minute}`);
      return acc ? levelFigures(acc, basis) : null;
    });
    rows.push({ time: timeOfDay(minute), cells: row });
  }
  return rows;
}

/**
 * The coming week's forecast (the local week after this one): per weekday and interval, the calls offered on
 * average over the last N whole weeks (N a setting) and their handle time, with the agents Erlang C needs.
 */
export async function forecastWeek(db: DB, filter: ReportFilter, settings: Settings, now: Date) {
  const range = forecastRange(filter, settings, now);
  const threshold = settings.service_level_threshold_s;
  const slots = await slotSums(db, { teamIds: filter.teamIds }, range, threshold, {
    timeZone: filter.timeZone,
    cuts: [],
  });
  return forecastOf(slots, filter, settings, now);
}

/** The weeks a forecast averages: the last N whole local weeks before this one. */
export function forecastRange(filter: Pick<ReportFilter, 'timeZone'>, settings: Settings, now: Date) {
  const thisMonday = mondayOf(localDateOf(now.getTime(), filter.timeZone));
  return {
    start: localDayStartText(addDays(thisMonday, -7 * settings.forecast_weeks), filter.timeZone),
    end: localDayStartText(thisMonday, filter.timeZone),
  };
}

/** forecastWeek from the slot sums of its range (forecastRange; the configured threshold, the filter's teams). */
export function forecastOf(slots: SlotSums[], filter: ReportFilter, settings: Settings, now: Date) {
  const minutes: IntervalMinutes = filter.intervalMinutes ?? 30;
  const weeks = settings.forecast_weeks;
  const thisMonday = mondayOf(localDateOf(now.getTime(), filter.timeZone));
  const threshold = settings.service_level_threshold_s;
  const cells = new Map<string, Acc>();
  for (const slot of slots) {
    const place = placeOf(slot.slot, filter.timeZone, minutes);
    add(entryOf(cells, `${place.weekday}|${place.minuteOfDay}`, emptyAcc), slot);
  }
  const basis: StaffingBasis = {
    target: settings.service_level_target_pct / 100,
    thresholdS: threshold,
    afterCallWorkS: settings.after_call_work_s,
    minutes,
  };
  const weekOf = addDays(thisMonday, 7);
  const dates = [0, 1, 2, 3, 4, 5, 6].map((weekday) => addDays(weekOf, weekday));
  const intervals = [...cells.entries()]
    .map(([key, acc]) => {
      const [weekday = 0, minute = 0] = key.split('|').map(Number);
      const f = figures(acc, basis, weeks);
      return {
        date: dates[weekday] ?? addDays(weekOf, weekday),
        weekday,
        time: timeOfDay(minute),
        minute,
        offered: acc.offered / weeks,
        aht_s: f.aht_s,
        agents_needed: f.agents_needed,
      };
    })
    .sort((a, b) => a.weekday - b.weekday || a.minute - b.minute);
  return { week_of: weekOf, weeks, minutes, intervals };
}
