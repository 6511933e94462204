import { z } from 'zod';
import { Validation } from './errors';
import { isCalendarDate } from './validation';
import { cachedOffsetMs } from './zones';

// The one reader of every `from`/`to` (../shared/API.md, wave 2): a date is a whole local day in the center's
// time zone (`to` inclusive); an ISO-8601 date-time must carry its offset (`to` exclusive). Either way the
// result is a half-open range of UTC instants [start, end), written as stored timestamps are (toISOString), so
// a query compares text with text.

/** A `from` or `to` as written: a local date, or an instant (ms since the epoch, whole milliseconds). */
export type DateBound = { kind: 'date'; date: string } | { kind: 'instant'; ms: number };

const DATE = /^\d{4}-\d{2}-\d{2}$/;
// Date, T (or a space, as RFC 3339 allows), hh:mm[:ss[.fraction]], then an offset that may be missing.
const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

const USE = 'Use a date like 2026-11-02 or a date-time with an offset like 2026-11-02T00:00:00Z.';
const NOT_ON_CALENDAR = 'That date is not on the calendar.';
const NEEDS_OFFSET =
  'A date-time needs a time-zone offset (Z or ±hh:mm), like 2026-11-02T00:00:00Z or 2026-11-02T02:00:00+02:00.';

/** Reads a `from`/`to` value, or says in plain words what is wrong with it. */
export function readDateBound(value: unknown): DateBound | { problem: string } {
  if (typeof value !== 'string') return { problem: USE };
  if (DATE.test(value)) return isCalendarDate(value) ? { kind: 'date', date: value } : { problem: NOT_ON_CALENDAR };
  const m = DATE_TIME.exec(value);
  if (!m) return { problem: USE };
  const [, date = '', hh = '', mm = '', ss = '00', fraction = '', zulu, sign, offH = '', offM = ''] = m;
  if (!isCalendarDate(date)) return { problem: NOT_ON_CALENDAR };
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) return { problem: 'That time of day does not exist.' };
  if (!zulu && !sign) return { problem: NEEDS_OFFSET };
  if (Number(offH) > 23 || Number(offM) > 59) return { problem: 'That time-zone offset does not exist.' };
  const offsetMs = sign ? (sign === '-' ? -1 : 1) * (Number(offH) * 60 + Number(offM)) * 60_000 : 0;
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const wall = utcMs(y, mo, d, Number(hh), Number(mm), Number(ss));
  // Stored times have whole milliseconds: a finer instant is rounded up to the first millisecond not before
  // it, which is right for both ends (from inclusive, to exclusive).
  const nanos = Number(fraction.padEnd(9, '0'));
  return { kind: 'instant', ms: wall - offsetMs + Math.ceil(nanos / 1_000_000) };
}

/** Date.UTC without its rule that years 0..99 mean 1900..1999. */
function utcMs(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number {
  const at = new Date(0);
  at.setUTCFullYear(y, mo - 1, d);
  at.setUTCHours(h, mi, s, 0);
  return at.getTime();
}

/**
 * A `from`/`to` query parameter: a date or a date-time with offset, else a 422 naming the problem. It stays the
 * text that was given; `instantRange` turns a pair into instants.
 */
export const dateBound = z
  .string({ error: USE })
  .superRefine((value, ctx) => {
    const read = readDateBound(value);
    if ('problem' in read) ctx.addIssue({ code: 'custom', message: read.problem });
  })
  .meta({
    description:
      'a local date (2026-11-02; a whole day in the center time zone, `to` inclusive) or an ISO-8601 date-time ' +
      'with offset (2026-11-02T00:00:00Z; `to` exclusive)',
    oneOf: [
      { type: 'string', format: 'date' },
      { type: 'string', format: 'date-time' },
    ],
  });

/**
 * The wall clock in the zone at an instant, read as if it were UTC (ms), with the zone's offset remembered per
 * UTC hour (zones.ts): asking Luxon each time was a third of a CSR's home page (its 90 days' boundaries).
 */
function wallClockMs(ms: number, timeZone: string): number {
  return ms + cachedOffsetMs(ms, timeZone);
}

/**
 * The first instant of a local day in an IANA zone. Midnight that happens once is that instant; midnight that
 * a daylight-saving jump skips (America/Santiago, America/Havana) starts the day at the jump, as Temporal's
 * startOfDay does: the wall clock read with the offset in force before the jump. `daysLater` counts on from
 * the date (1: the start of the next day).
 */
export function startOfLocalDay(date: string, timeZone = 'UTC', daysLater = 0): number {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const wall = utcMs(y, mo, d + daysLater);
  // The offsets in force a day either side: a zone changes offset at most once in between.
  const before = cachedOffsetMs(wall - 86_400_000, timeZone);
  const after = cachedOffsetMs(wall + 86_400_000, timeZone);
  const fits = [before, after].map((offset) => wall - offset).filter((ms) => wallClockMs(ms, timeZone) === wall);
  return fits.length ? Math.min(...fits) : wall - before;
}

/** The first instant of a local day as stored timestamps are written (ISO text in UTC). */
export function localDayStartText(date: string, timeZone = 'UTC', daysLater = 0): string {
  return isoText(startOfLocalDay(date, timeZone, daysLater));
}

/** The local date (YYYY-MM-DD) of an instant in an IANA zone. */
export function localDateOf(ms: number, timeZone = 'UTC'): string {
  return isoText(wallClockMs(ms, timeZone)).slice(0, 10);
}

// Stored timestamps are four-digit years; an instant beyond them is written at the edge so text comparison
// still orders it (toISOString would write +010000-… or -000001-…, which sort wrongly as text).
const FIRST = utcMs(0, 1, 1);
const LAST = utcMs(9999, 12, 31, 23, 59, 59) + 999;

function isoText(ms: number): string {
  return new Date(Math.min(Math.max(ms, FIRST), LAST)).toISOString();
}

/** A half-open range [start, end) of UTC instants as ISO text; an end left open is undefined. */
export interface InstantRange {
  start?: string;
  end?: string;
}

/** Where a bound starts (a date: its local midnight) and, for `to`, where the range ends (a date: the next day). */
function boundMs(bound: DateBound, edge: 'from' | 'to', timeZone: string): number {
  if (bound.kind === 'instant') return bound.ms;
  return startOfLocalDay(bound.date, timeZone, edge === 'to' ? 1 : 0);
}

function readOrRefuse(value: string, edge: 'from' | 'to'): DateBound {
  const read = readDateBound(value);
  if ('problem' in read) throw new Validation([{ path: edge, message: read.problem }]);
  return read;
}

/**
 * The instants a `from`/`to` pair covers: [start of `from`, end of `to`), dates read in the center's time zone
 * (the `time_zone` setting). A range that ends before it starts, or is empty, is a 422.
 */
export function instantRange(input: { from?: string; to?: string }, timeZone = 'UTC'): InstantRange {
  const from = input.from === undefined ? undefined : boundMs(readOrRefuse(input.from, 'from'), 'from', timeZone);
  const to = input.to === undefined ? undefined : boundMs(readOrRefuse(input.to, 'to'), 'to', timeZone);
  if (from !== undefined && to !== undefined && from >= to)
    throw new Validation([{ path: 'to', message: '`to` must come after `from`.' }]);
  return {
    start: from === undefined ? undefined : isoText(from),
    end: to === undefined ? undefined : isoText(to),
  };
}
