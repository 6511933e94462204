import { DateTime } from 'luxon';
import { isoWithOffset, localPlace, plusLocalDays } from '../../src/lib/zones';

// plusLocalDays works out Luxon's `plus({ days })` from cached offsets (issue 21: a submit asks it for the
// release date). It must give Luxon's answer to the millisecond: around every clock change of zones with
// northern and southern summers, 30- and 45-minute offsets, a 30-minute DST shift (Lord Howe), a negative DST
// (Dublin) and a zone that moved its date line (Apia), and at random instants over six decades.

const ZONES = [
  'America/New_York',
  'Europe/London',
  'Europe/Dublin',
  'Australia/Sydney',
  'Australia/Adelaide',
  'Australia/Lord_Howe',
  'America/St_Johns',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'America/Santiago',
  'Pacific/Apia',
  'UTC',
];

const luxonPlus = (ms: number, days: number, zone: string) =>
  DateTime.fromMillis(ms, { zone }).plus({ days }).toMillis();
const offsetAt = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).offset;

/** Every instant in [from, to) where the zone's offset changes (to the second), found day by day. */
function transitions(zone: string, from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = from; t < to; t += 86_400_000) {
    if (offsetAt(t, zone) === offsetAt(t + 86_400_000, zone)) continue;
    let lo = t;
    let hi = t + 86_400_000;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (offsetAt(mid, zone) === offsetAt(t, zone)) lo = mid;
      else hi = mid;
    }
    out.push(hi);
  }
  return out;
}

/** A small fixed-seed generator, so a failure repeats. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const FROM = Date.UTC(2019, 0, 1);
const TO = Date.UTC(2031, 0, 1);

test.each(ZONES)('%s: Luxon to the millisecond around every clock change from 2019 to 2030', (zone) => {
  const changes = transitions(zone, FROM, TO);
  if (zone !== 'UTC' && zone !== 'Asia/Kolkata' && zone !== 'Asia/Kathmandu')
    expect(changes.length).toBeGreaterThanOrEqual(4);
  let checked = 0;
  const wrong: Array<[number, number]> = [];
  for (const change of changes) {
    // Instants whose day-later (or day-earlier, week-later) wall clock lands before, in, and after the change,
    // including in a skipped hour and in a repeated one; a few on the odd millisecond around the change itself.
    for (const days of [1, -1, 7, -7, 2]) {
      const base = change - days * 86_400_000;
      for (let step = -3 * 3_600_000; step <= 3 * 3_600_000; step += 7 * 60_000 + 13_000) {
        const ms = base + step;
        if (plusLocalDays(ms, days, zone) !== luxonPlus(ms, days, zone)) wrong.push([ms, days]);
        checked += 1;
      }
    }
    for (const ms of [change - 1001, change - 1, change, change + 1, change + 999]) {
      for (const days of [0, 1, -1, 30]) {
        if (plusLocalDays(ms, days, zone) !== luxonPlus(ms, days, zone)) wrong.push([ms, days]);
      }
      const wall = DateTime.fromMillis(Math.floor(ms / 1000) * 1000, { zone });
      expect(isoWithOffset(wall.toMillis(), zone)).toBe(
        zone === 'UTC' ? wall.toUTC().toFormat("yyyy-MM-dd'T'HH:mm:ss'Z'") : wall.toFormat("yyyy-MM-dd'T'HH:mm:ssZZ"),
      );
      expect(localPlace(ms, zone)).toEqual({
        date: DateTime.fromMillis(ms, { zone }).toISODate(),
        weekday: DateTime.fromMillis(ms, { zone }).weekday - 1,
        minute: DateTime.fromMillis(ms, { zone }).hour * 60 + DateTime.fromMillis(ms, { zone }).minute,
      });
      checked += 1;
    }
  }
  expect(wrong).toEqual([]);
  expect(checked).toBeGreaterThanOrEqual(changes.length * 100);
});

test.each(ZONES)('%s: Luxon at 3,000 random instants from 1975 to 2036, up to two years either way', (zone) => {
  const next = random(zone.length * 7919 + zone.charCodeAt(0));
  const from = Date.UTC(1975, 0, 1);
  const span = Date.UTC(2036, 0, 1) - from;
  const wrong: Array<[number, number]> = [];
  for (let i = 0; i < 3000; i += 1) {
    const ms = from + Math.floor(next() * span);
    const days = Math.floor(next() * 1461) - 730;
    if (plusLocalDays(ms, days, zone) !== luxonPlus(ms, days, zone)) wrong.push([ms, days]);
  }
  expect(wrong).toEqual([]);
});

test('what plusLocalDays does not work out itself is still Luxon: part days, invalid instants and zones', () => {
  expect(plusLocalDays(Date.UTC(2026, 2, 7, 12), 1.5, 'America/New_York')).toBe(
    luxonPlus(Date.UTC(2026, 2, 7, 12), 1.5, 'America/New_York'),
  );
  expect(plusLocalDays(Number.NaN, 1, 'America/New_York')).toBeNaN();
  expect(plusLocalDays(Date.UTC(2026, 2, 7, 12), 1, 'Mars/Olympus_Mons')).toBeNaN();
  // Spring forward in New York (2026-03-08 02:00 → 03:00): 02:30 the day before plus one day is 03:30 EDT.
  expect(new Date(plusLocalDays(Date.parse('2026-03-07T07:30:00Z'), 1, 'America/New_York')).toISOString()).toBe(
    '2026-03-08T07:30:00.000Z',
  );
  // Fall back (2026-11-01 02:00 → 01:00): 01:30 EDT the day before plus one day is the first 01:30 (EDT).
  expect(new Date(plusLocalDays(Date.parse('2026-10-31T05:30:00Z'), 1, 'America/New_York')).toISOString()).toBe(
    '2026-11-01T05:30:00.000Z',
  );
});
