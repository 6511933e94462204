import { DateTime } from 'luxon';
import { addDays, formatLocalDateTime, localPlace, localWeekdayMinute, mondayOf, weekdayOf } from '../../src/lib/zones';
import { localDateOf, startOfLocalDay } from '../../src/lib/date-range';

// addDays, mondayOf and weekdayOf work on the calendar by arithmetic on UTC midnights, and localWeekdayMinute on
// the local wall clock, rather than through Luxon per call (the intraday report asks them thousands of times a
// request). Each must give Luxon's answer: every day of 1999 to 2031 (leap years, 29 February, year ends), and
// invalid dates left to Luxon as before.

const luxonAddDays = (date: string, days: number) =>
  DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate() ?? date;

function everyDay(from: string, to: string): string[] {
  const days: string[] = [];
  for (let ms = Date.parse(`${from}T00:00:00Z`); ms <= Date.parse(`${to}T00:00:00Z`); ms += 86_400_000) {
    days.push(new Date(ms).toISOString().slice(0, 10));
  }
  return days;
}

test('addDays, mondayOf and weekdayOf equal Luxon on every day of 1999 to 2031', () => {
  const days = everyDay('1999-01-01', '2031-12-31');
  expect(days).toContain('2024-02-29');
  const wrong: string[] = [];
  for (const [i, day] of days.entries()) {
    const luxon = DateTime.fromISO(day, { zone: 'UTC' });
    const step = [1, -1, 7, -7, 31, -366, 400][i % 7]!;
    if (addDays(day, step) !== luxonAddDays(day, step)) wrong.push(`addDays(${day}, ${step})`);
    if (mondayOf(day) !== luxon.minus({ days: luxon.weekday - 1 }).toISODate()) wrong.push(`mondayOf(${day})`);
    if (weekdayOf(day) !== luxon.weekday - 1) wrong.push(`weekdayOf(${day})`);
  }
  expect(wrong).toEqual([]);
  expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
  expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  expect(mondayOf('2026-12-06')).toBe('2026-11-30'); // a Sunday
  expect(weekdayOf('2026-12-07')).toBe(0);
});

test('a string that is not a real date gets what Luxon gave before', () => {
  for (const date of ['2026-02-30', '2026-13-01', 'not a date', '', '2026-1-1']) {
    expect(addDays(date, 1)).toBe(luxonAddDays(date, 1));
    const luxon = DateTime.fromISO(date, { zone: 'UTC' });
    expect(mondayOf(date)).toBe(luxon.minus({ days: luxon.weekday - 1 }).toISODate() ?? date);
    expect(weekdayOf(date)).toEqual(luxon.weekday - 1);
  }
});

test.each(['UTC', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns'])(
  'localWeekdayMinute equals localPlace and Luxon every 15 minutes of 2026 in %s',
  (zone) => {
    const wrong: string[] = [];
    const start = Date.parse('2025-12-31T00:00:00Z');
    for (let ms = start; ms < Date.parse('2027-01-02T00:00:00Z'); ms += 15 * 60_000) {
      const got = localWeekdayMinute(ms, zone);
      const place = localPlace(ms, zone);
      const luxon = DateTime.fromMillis(ms, { zone });
      const expected = { weekday: luxon.weekday - 1, minute: luxon.hour * 60 + luxon.minute };
      if (got.weekday !== expected.weekday || got.minute !== expected.minute) {
        wrong.push(`${new Date(ms).toISOString()}: ${JSON.stringify(got)} vs ${JSON.stringify(expected)}`);
      }
      if (got.weekday !== place.weekday || got.minute !== place.minute) wrong.push(`localPlace at ${ms}`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  },
);

test('an instant before 1970 falls on its weekday too', () => {
  const ms = Date.parse('1969-12-28T23:30:00Z'); // a Sunday
  expect(localWeekdayMinute(ms, 'UTC')).toEqual({ weekday: 6, minute: 23 * 60 + 30 });
});

test('startOfLocalDay and localDateOf agree with Luxon on every day of 2019 to 2031 in zones with odd transitions', () => {
  // Skipped midnights (Santiago, Havana), half-hour daylight saving (Lord Howe), a :45 offset (Chatham), Ramadan
  // switches (Casablanca), a :30 offset (St John's), and a zone with none (Kolkata).
  const zones = [
    'America/New_York',
    'America/Santiago',
    'America/Havana',
    'Australia/Lord_Howe',
    'Pacific/Chatham',
    'Africa/Casablanca',
    'America/St_Johns',
    'Asia/Kolkata',
    'Europe/London',
  ];
  const wrong: string[] = [];
  for (const zone of zones) {
    for (const date of everyDay('2019-01-01', '2031-12-31')) {
      const start = startOfLocalDay(date, zone);
      let expected = DateTime.fromISO(date, { zone }).startOf('day').toMillis();
      // A midnight that happens twice (Havana's clocks go back from 01:00 to 00:00): the day starts at the first,
      // as Temporal's startOfDay has it; Luxon gives the second.
      const wall = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat('yyyy-MM-dd HH:mm:ss.SSS');
      for (const earlier of [3_600_000, 1_800_000]) {
        if (wall(expected - earlier) === `${date} 00:00:00.000`) expected -= earlier;
      }
      if (start !== expected) wrong.push(`${zone} ${date}: ${start} instead of ${expected}`);
      const before = DateTime.fromMillis(start - 1, { zone }).toISODate();
      if (localDateOf(start, zone) !== date || localDateOf(start - 1, zone) !== before)
        wrong.push(`${zone} ${date}: local dates ${localDateOf(start - 1, zone)} / ${localDateOf(start, zone)}`);
    }
  }
  expect(wrong.slice(0, 10)).toEqual([]);
});

test('formatLocalDateTime and zoneAbbreviation equal Luxon every 7 hours of 2024 to 2027, and in every zone every 45 days', () => {
  const luxon = (ms: number, zone: string) => {
    const local = DateTime.fromMillis(ms, { zone, locale: 'en-US' });
    return `${local.toFormat('yyyy-MM-dd HH:mm')} ${zone === 'UTC' ? 'UTC' : local.toFormat('ZZZZ')}`;
  };
  const wrong: string[] = [];
  const check = (ms: number, zone: string) => {
    const ours = formatLocalDateTime(ms, zone);
    if (ours !== luxon(ms, zone)) wrong.push(`${zone} ${new Date(ms).toISOString()}: ${ours} / ${luxon(ms, zone)}`);
  };
  const from = Date.parse('2024-01-01T00:00:00Z');
  const to = Date.parse('2028-01-01T00:00:00Z');
  const busy = ['UTC', 'America/New_York', 'Europe/London', 'Europe/Dublin', 'Australia/Lord_Howe', 'America/Havana'];
  for (const zone of busy) for (let ms = from; ms < to; ms += 7 * 3_600_000 + 60_000) check(ms, zone);
  for (const zone of Intl.supportedValuesOf('timeZone'))
    for (let ms = from; ms < to; ms += 45 * 86_400_000 + 7 * 3_600_000) check(ms, zone);
  expect(wrong.slice(0, 10)).toEqual([]);
});
