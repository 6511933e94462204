import { Validation } from '../../src/lib/errors';
import { instantRange, localDateOf, readDateBound, startOfLocalDay } from '../../src/lib/date-range';

// The one reader of every from/to (../shared/API.md, wave 2): dates are whole local days (to inclusive),
// date-times need an offset (to exclusive); the result is a half-open range of UTC instants.

const iso = (ms: number) => new Date(ms).toISOString();

function problemOf(input: { from?: string; to?: string }, timeZone?: string): string {
  try {
    instantRange(input, timeZone);
  } catch (err) {
    if (err instanceof Validation) return err.details.map((d) => `${d.path}: ${d.message}`).join('; ');
    throw err;
  }
  throw new Error('expected a Validation');
}

describe('dates in UTC (no time-zone setting yet)', () => {
  test('a date range runs from the first day’s midnight to the midnight after the last day', () => {
    expect(instantRange({ from: '2026-10-01', to: '2026-10-31' })).toEqual({
      start: '2026-10-01T00:00:00.000Z',
      end: '2026-11-01T00:00:00.000Z',
    });
  });

  test('one day from and to is that whole day; an open end stays open', () => {
    expect(instantRange({ from: '2026-12-31', to: '2026-12-31' })).toEqual({
      start: '2026-12-31T00:00:00.000Z',
      end: '2027-01-01T00:00:00.000Z',
    });
    expect(instantRange({ to: '2024-02-29' })).toEqual({ start: undefined, end: '2024-03-01T00:00:00.000Z' });
    expect(instantRange({})).toEqual({ start: undefined, end: undefined });
  });

  test('the last day there is still ends after itself', () => {
    expect(instantRange({ to: '9999-12-31' }).end).toBe('9999-12-31T23:59:59.999Z');
  });
});

describe('date-times with an offset', () => {
  test.each([
    ['2026-10-01T00:00:00Z', '2026-10-01T00:00:00.000Z'],
    ['2026-10-01T02:00:00+02:00', '2026-10-01T00:00:00.000Z'],
    ['2026-09-30T19:00:00-05:00', '2026-10-01T00:00:00.000Z'],
    ['2026-10-01T05:30:00+0530', '2026-10-01T00:00:00.000Z'],
    ['2026-10-01t00:00z', '2026-10-01T00:00:00.000Z'],
    ['2026-10-01 00:00:00.250Z', '2026-10-01T00:00:00.250Z'],
    ['2026-10-01T00:00:00.123456789Z', '2026-10-01T00:00:00.124Z'],
  ])('%s is the instant %s', (value, instant) => {
    expect(instantRange({ from: value }).start).toBe(instant);
  });

  test('a date-time `to` is exclusive and is not moved to the next day', () => {
    expect(instantRange({ from: '2026-10-01T00:00:00Z', to: '2026-10-01T23:30:00Z' })).toEqual({
      start: '2026-10-01T00:00:00.000Z',
      end: '2026-10-01T23:30:00.000Z',
    });
  });

  test('dates and date-times mix', () => {
    expect(instantRange({ from: '2026-10-01T12:00:00+02:00', to: '2026-10-01' })).toEqual({
      start: '2026-10-01T10:00:00.000Z',
      end: '2026-10-02T00:00:00.000Z',
    });
  });
});

describe('local days in a time zone, daylight saving included', () => {
  test.each([
    // America/New_York: 23 hours on 2026-03-08, 25 on 2026-11-01.
    ['America/New_York', '2026-03-08', '2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z'],
    ['America/New_York', '2026-11-01', '2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z'],
    ['America/New_York', '2026-07-04', '2026-07-04T04:00:00.000Z', '2026-07-05T04:00:00.000Z'],
    // Europe/Berlin: 23 hours on 2026-03-29, 25 on 2026-10-25.
    ['Europe/Berlin', '2026-03-29', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
    ['Europe/Berlin', '2026-10-25', '2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z'],
    ['Europe/Berlin', '2026-01-15', '2026-01-14T23:00:00.000Z', '2026-01-15T23:00:00.000Z'],
    // Asia/Kolkata: +05:30, no daylight saving.
    ['Asia/Kolkata', '2026-10-01', '2026-09-30T18:30:00.000Z', '2026-10-01T18:30:00.000Z'],
  ])('in %s the day %s runs from %s to %s', (zone, day, start, end) => {
    expect(instantRange({ from: day, to: day }, zone)).toEqual({ start, end });
  });

  test('a midnight skipped by daylight saving starts the day at the jump (Santiago, 2022-09-11 00:00 → 01:00)', () => {
    expect(iso(startOfLocalDay('2022-09-11', 'America/Santiago'))).toBe('2022-09-11T04:00:00.000Z');
    expect(iso(startOfLocalDay('2022-09-12', 'America/Santiago'))).toBe('2022-09-12T03:00:00.000Z');
  });

  test('a date-time with offset means the same instant whatever the zone', () => {
    const value = { from: '2026-10-01T00:00:00Z' };
    expect(instantRange(value, 'America/New_York')).toEqual(instantRange(value, 'Asia/Tokyo'));
  });

  test('the local date of an instant', () => {
    expect(localDateOf(Date.parse('2026-10-01T23:30:00Z'))).toBe('2026-10-01');
    expect(localDateOf(Date.parse('2026-10-01T23:30:00Z'), 'Europe/Berlin')).toBe('2026-10-02');
    expect(localDateOf(Date.parse('2026-10-01T03:30:00Z'), 'America/New_York')).toBe('2026-09-30');
  });
});

describe('refusals, each naming the parameter and the problem', () => {
  test.each(['2026-13-45', '2026-12-32', '2026-02-30', '2026-02-29', '2026-00-10', '2026-02-30T00:00:00Z'])(
    '%s is not on the calendar',
    (value) => {
      expect(problemOf({ from: value })).toBe('from: That date is not on the calendar.');
      expect(problemOf({ to: value })).toBe('to: That date is not on the calendar.');
    },
  );

  test.each(['2026-10-01T00:00:00', '2026-10-01T00:00', '2026-10-01T00:00:00.5'])(
    '%s without an offset says an offset is needed',
    (value) => {
      expect(problemOf({ from: value })).toMatch(/^from: A date-time needs a time-zone offset/);
    },
  );

  test.each(['2026-10-01T24:00:00Z', '2026-10-01T23:60:00Z', '2026-10-01T23:59:60Z'])(
    '%s is a time of day that does not exist',
    (value) => {
      expect(problemOf({ to: value })).toBe('to: That time of day does not exist.');
    },
  );

  test('an offset beyond ±23:59 is refused', () => {
    expect(problemOf({ from: '2026-10-01T00:00:00+24:00' })).toBe('from: That time-zone offset does not exist.');
  });

  test.each([
    '',
    'garbage',
    '__proto__',
    'constructor',
    'toString',
    '2026-1-1',
    '20261001',
    '2026-10-01T',
    '2026-10-01Z',
    '2026-10-01T00:00:00ZZ',
    '2026-10-01T00:00:00+2',
    ' 2026-10-01',
    '１２３４-10-01',
    'now',
  ])('%j is not a date', (value) => {
    expect(problemOf({ from: value })).toMatch(/^from: Use a date like 2026-11-02 or a date-time with an offset/);
  });

  test('a value that is not text (an array from ?from=a&from=b) is refused', () => {
    expect(readDateBound(['2026-10-01'])).toEqual({ problem: expect.stringMatching(/^Use a date/) });
    expect(readDateBound(undefined)).toEqual({ problem: expect.stringMatching(/^Use a date/) });
  });

  test('from after to is refused; from = to with dates is one day', () => {
    expect(problemOf({ from: '2026-10-02', to: '2026-10-01' })).toBe('to: `to` must come after `from`.');
    expect(problemOf({ from: '2026-10-01T12:00:00Z', to: '2026-10-01T11:59:59Z' })).toMatch(/^to: /);
    expect(problemOf({ from: '2026-10-01T00:00:00Z', to: '2026-10-01T00:00:00Z' })).toMatch(/^to: /);
    expect(problemOf({ from: '2026-10-02T00:00:00Z', to: '2026-10-01' })).toMatch(/^to: /);
    expect(instantRange({ from: '2026-10-01T23:59:59Z', to: '2026-10-01' }).start).toBe('2026-10-01T23:59:59.000Z');
  });
});
