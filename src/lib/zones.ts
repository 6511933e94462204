import { DateTime, IANAZone } from 'luxon';

// The center's time zone (DOMAIN.md, Time): zone arithmetic through Luxon (offsets, names, abbreviations), never
// hand-written offsets. Local dates are YYYY-MM-DD text; instants are ms since the epoch.

let known: Map<string, string> | null = null;

/**
 * The zone's IANA name as it is usually spelt ("asia/kolkata" → "Asia/Kolkata"), or null when there is no
 * such zone. A name given in its right case is kept as given: ICU's list still spells some zones the old way
 * (Asia/Calcutta), and people write the current one.
 */
export function canonicalTimeZone(name: string): string | null {
  // Asked on every read of the settings: a zone's validity does not change while the process runs.
  const cached = canonical.get(name);
  if (cached !== undefined) return cached;
  const answer = canonicalUncached(name);
  if (canonical.size > 1000) canonical.clear();
  canonical.set(name, answer);
  return answer;
}

const canonical = new Map<string, string | null>();

function canonicalUncached(name: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name) || !IANAZone.isValidZone(name)) return null;
  known ??= new Map([...Intl.supportedValuesOf('timeZone'), 'UTC'].map((zone) => [zone.toLowerCase(), zone]));
  const listed = known.get(name.toLowerCase());
  if (listed) return listed === name.toLowerCase() ? name : listed;
  if (name !== name.toLowerCase()) return name;
  // A current name ICU lists under an old one (asia/kolkata): each word capitalised, as IANA writes them.
  return name.replace(/(^|[/_])([a-z])/g, (_, sep: string, letter: string) => sep + letter.toUpperCase());
}

const zones = new Map<string, IANAZone>();

function zoneOf(timeZone: string): IANAZone {
  let zone = zones.get(timeZone);
  if (!zone) {
    zone = IANAZone.create(timeZone);
    zones.set(timeZone, zone);
  }
  return zone;
}

/** The zone's offset from UTC at an instant (ms; +05:30 is 19,800,000). */
function zoneOffsetMs(ms: number, timeZone: string): number {
  return zoneOf(timeZone).offset(ms) * 60_000;
}

/**
 * "EST", "EDT", "GMT+5:30", "UTC": the zone's short name at an instant, from Luxon, remembered per zone and
 * offset (a zone's name for one offset is the same whenever it is in force; test/time/calendar-arithmetic).
 */
export function zoneAbbreviation(ms: number, timeZone: string): string {
  if (timeZone === 'UTC') return 'UTC';
  const key = `${timeZone} ${cachedOffsetMs(ms, timeZone)}`;
  let name = abbreviations.get(key);
  if (name === undefined) {
    name = DateTime.fromMillis(ms, { zone: zoneOf(timeZone), locale: 'en-US' }).toFormat('ZZZZ');
    if (abbreviations.size > 10_000) abbreviations.clear();
    abbreviations.set(key, name);
  }
  return name;
}

const abbreviations = new Map<string, string>();

/**
 * The local wall clock at an instant as "YYYY-MM-DD HH:mm ABBR" (pages: every row of a list), from the cached
 * offset rather than a Luxon DateTime per call. Stored instants have four-digit years.
 */
export function formatLocalDateTime(ms: number, timeZone: string): string {
  const wall = new Date(ms + cachedOffsetMs(ms, timeZone)).toISOString();
  return `${wall.slice(0, 10)} ${wall.slice(11, 16)} ${zoneAbbreviation(ms, timeZone)}`;
}

// Offsets change a few times a year: each zone's offsets are remembered per UTC hour as the offset at the hour's
// start, the one at its end and, when they differ, the exact millisecond the change takes effect (found once by
// bisection), so after the first question about an hour, placing an instant in it asks Luxon nothing. Exact as
// long as a zone changes its offset at most once within an hour, which every zone in the tz database does.
interface HourOffsets {
  /** Offset at the hour's start, ms. */
  start: number;
  /** Offset from `switchAt` on, ms. */
  end: number;
  /** First instant with the `end` offset (Infinity when the hour has one offset throughout). */
  switchAt: number;
}

const HOUR_MS = 3_600_000;
const hourOffsets = new Map<string, Map<number, HourOffsets>>();
let cachedHours = 0;

function hourOf(hour: number, timeZone: string): HourOffsets {
  const from = hour * HOUR_MS;
  const start = zoneOffsetMs(from, timeZone);
  const end = zoneOffsetMs(from + HOUR_MS, timeZone);
  if (start === end || Number.isNaN(start) || Number.isNaN(end)) return { start, end, switchAt: Infinity };
  // The first millisecond of the hour whose offset is no longer the hour's first.
  let lo = from; // has `start`
  let hi = from + HOUR_MS; // has another
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zoneOffsetMs(mid, timeZone) === start) lo = mid;
    else hi = mid;
  }
  return { start, end, switchAt: hi };
}

/** The zone's offset at an instant, ms, as Luxon gives it (zoneOffsetMs), without asking it again per hour. */
export function cachedOffsetMs(ms: number, timeZone: string): number {
  let zone = hourOffsets.get(timeZone);
  if (!zone) {
    zone = new Map();
    hourOffsets.set(timeZone, zone);
  }
  const hour = Math.floor(ms / HOUR_MS);
  let entry = zone.get(hour);
  if (!entry) {
    if (cachedHours > 200_000) {
      hourOffsets.forEach((hours) => hours.clear());
      cachedHours = 0;
    }
    entry = hourOf(hour, timeZone);
    zone.set(hour, entry);
    cachedHours += 1;
  }
  return ms < entry.switchAt ? entry.start : entry.end;
}

/** An instant written as ISO-8601 with the zone's offset at that instant (2026-11-02T09:30:00-05:00). */
export function isoWithOffset(ms: number, timeZone: string): string {
  const offset = cachedOffsetMs(ms, timeZone);
  const wall = new Date(ms + offset).toISOString().slice(0, 19);
  if (offset === 0 && timeZone === 'UTC') return `${wall}Z`;
  const minutes = Math.abs(offset) / 60_000;
  const sign = offset < 0 ? '-' : '+';
  return `${wall}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Where an instant falls locally: its date, weekday (Monday 0 … Sunday 6) and minute of the local day. */
export function localPlace(ms: number, timeZone: string): { date: string; weekday: number; minute: number } {
  const wall = new Date(ms + cachedOffsetMs(ms, timeZone));
  return {
    date: wall.toISOString().slice(0, 10),
    weekday: (wall.getUTCDay() + 6) % 7,
    minute: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
  };
}

/**
 * The weekday (Monday 0 … Sunday 6) and whole minute of the local day of an instant: localPlace without the
 * date, by arithmetic on the local wall-clock milliseconds (the intraday report asks it for every slot).
 */
export function localWeekdayMinute(ms: number, timeZone: string): { weekday: number; minute: number } {
  const wall = ms + cachedOffsetMs(ms, timeZone);
  const day = Math.floor(wall / DAY_MS);
  // 1 January 1970 was a Thursday (3 counting from Monday).
  return { weekday: (((day + 3) % 7) + 7) % 7, minute: Math.floor((wall - day * DAY_MS) / 60_000) };
}

const DAY_MS = 24 * HOUR_MS;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date's midnight in UTC, ms, or null when it is not a real date written YYYY-MM-DD. */
function utcMidnightOf(date: string): number | null {
  const m = ISO_DATE.exec(date);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  // 2026-02-30 rolls over to 2 March: not a date (Luxon calls it invalid), so the callers keep Luxon's answer.
  const real = back.getUTCFullYear() === year && back.getUTCMonth() === month - 1 && back.getUTCDate() === day;
  return real && year >= 1000 ? ms : null;
}

/** The date `days` later (negative: earlier) than a date, on the calendar (no zone involved). */
export function addDays(date: string, days: number): string {
  const ms = utcMidnightOf(date);
  if (ms === null) return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate() ?? date;
  return new Date(ms + days * DAY_MS).toISOString().slice(0, 10);
}

/** The Monday of the week a date is in. */
export function mondayOf(date: string): string {
  const ms = utcMidnightOf(date);
  if (ms === null) {
    const day = DateTime.fromISO(date, { zone: 'UTC' });
    return day.minus({ days: day.weekday - 1 }).toISODate() ?? date;
  }
  return new Date(ms - weekdayAt(ms) * DAY_MS).toISOString().slice(0, 10);
}

/** Weekday of a date (Monday 0 … Sunday 6). */
export function weekdayOf(date: string): number {
  const ms = utcMidnightOf(date);
  return ms === null ? DateTime.fromISO(date, { zone: 'UTC' }).weekday - 1 : weekdayAt(ms);
}

/** Weekday (Monday 0 … Sunday 6) of a UTC midnight. */
function weekdayAt(ms: number): number {
  return (new Date(ms).getUTCDay() + 6) % 7;
}

/** The local date (YYYY-MM-DD) an instant falls on in the zone. */
export function localDateOf(ms: number, timeZone: string): string {
  return localPlace(ms, timeZone).date;
}

/** The instant a local date starts in the zone (its midnight; a 23- or 25-hour day still starts there). */
export function localMidnightMs(date: string, timeZone: string): number {
  return DateTime.fromISO(date, { zone: zoneOf(timeZone) })
    .startOf('day')
    .toMillis();
}

/**
 * The instant `days` local days after another at the same wall-clock time, across clock changes. Luxon's
 * `DateTime.plus({ days })` worked out with cached offsets instead of two DateTimes per call (a submit asks it
 * for the release date): the wall clock moved by whole days, then placed in the zone as Luxon's fixOffset
 * places it (the earlier offset kept for a repeated hour, a skipped hour moved forward by the gap).
 */
export function plusLocalDays(ms: number, days: number, timeZone: string): number {
  const zone = zoneOf(timeZone);
  if (!Number.isInteger(days) || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15 || !zone.isValid) {
    return DateTime.fromMillis(ms, { zone }).plus({ days }).toMillis();
  }
  const before = cachedOffsetMs(ms, timeZone);
  const wall = ms + before + days * 86_400_000;
  // Luxon's fixOffset, in ms: the old offset first, then the one found there, then the gap's rule.
  let guess = wall - before;
  const found = cachedOffsetMs(guess, timeZone);
  if (found === before) return guess;
  guess -= found - before;
  const again = cachedOffsetMs(guess, timeZone);
  if (found === again) return guess;
  return wall - Math.min(found, again);
}

/** The last millisecond of a local date in the zone (a due date given as a day is due by its local end). */
export function endOfLocalDateMs(date: string, timeZone: string): number {
  return localMidnightMs(addDays(date, 1), timeZone) - 1;
}
