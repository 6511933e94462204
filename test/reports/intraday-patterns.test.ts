import {
  forecastOf,
  forecastRange,
  forecastWeek,
  intradayOf,
  intradayReport,
  patternCuts,
  slotSums,
} from '../../src/reports/intraday';
import { weekPatternSumsFromRollup } from '../../src/reports/intraday.queries';
import { getSettings } from '../../src/settings/settings.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { insertCalls, localDaysFilter } from '../helpers/reports';

// The service level page reads the slot roll-up summed per week pattern (segment × minute of the UTC week) instead
// of slot by slot. What it shows (heat map, table by time of day, total, forecast) must be exactly what the slots
// give, in zones whose offset changes by an hour or by half an hour, in zones a quarter hour off UTC, over ranges
// of many weeks that cross the changes, for every interval length, for every team and for one.

let ctx: TestContext;
let org: Org;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  // A call every 97 minutes through 2026 (the clock changes of every zone below), on two teams, at odd minutes,
  // with waits either side of the threshold and handle and hold times that vary.
  const first = Date.parse('2026-01-01T00:07:00Z');
  const calls = Array.from({ length: 5400 }, (_, i) => ({
    started_at: new Date(first + i * 97 * 60_000).toISOString(),
    team_id: i % 3 === 0 ? org.teamB : org.teamA,
    agent: i % 3 === 0 ? org.csrB : org.csrA,
    queue_wait_s: [45, 12, 29, 31, 5][i % 5],
    duration_s: 120 + (i % 11) * 17,
    hold_s: i % 7,
  }));
  await insertCalls(ctx.deps, calls);
});
afterAll(async () => ctx.close());

const ZONES = ['America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'UTC'];

const filterOf = localDaysFilter;

/** The zone's offset at an instant as Intl writes it ("GMT+05:45"), an oracle independent of src/lib/zones. */
function intlOffsetOf(timeZone: string): (ms: number) => string {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  return (ms) => format.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? '';
}

describe.each(ZONES)('%s', (zone) => {
  test.each([
    ['the year, 30-minute intervals, every team', filterOf(zone, '2026-01-01', '2026-12-31')],
    [
      '90 days over the spring changes, 15-minute intervals',
      filterOf(zone, '2026-02-20', '2026-05-20', { intervalMinutes: 15 }),
    ],
    [
      '90 days over the autumn changes, hourly, one team',
      filterOf(zone, '2026-08-20', '2026-11-17', { intervalMinutes: 60, teamIds: [0] }),
    ],
    [
      'a range starting and ending off local midnight',
      {
        ...filterOf(zone, '2026-03-01', '2026-04-30'),
        from: '2026-03-01T10:45:00.000Z',
        to: '2026-04-29T17:15:00.000Z',
      },
    ],
  ])('%s: the week patterns give what the slots give', async (_, filter) => {
    const resolved = Array.isArray(filter.teamIds) ? { ...filter, teamIds: [org.teamA] } : filter;
    const settings = await getSettings(ctx.deps.db);
    const full = await intradayReport(ctx.deps.db, resolved, 30, settings);
    const page = await intradayReport(ctx.deps.db, resolved, 30, settings, { everyInterval: false });
    expect(page).toEqual({ ...full, buckets: [] });
    expect(page.total.offered).toBeGreaterThan(500);
    // Each week pattern row sums a slot of every week: 672 rows a segment at most, where the year has 5,400 slots.
    const range = { start: resolved.from, end: resolved.to };
    const slots = await slotSums(ctx.deps.db, resolved, range, 30);
    const patterns = await slotSums(ctx.deps.db, resolved, range, 30, { timeZone: zone, cuts: [] });
    const segments =
      patternCuts(Date.parse(range.start), Date.parse(range.end), { timeZone: zone, cuts: [] }).length - 1;
    expect(patterns.length).toBeLessThanOrEqual(672 * segments);
    if (slots.length > 5000) expect(patterns.length).toBeLessThan(slots.length / 2);
    // The same calls, summed anyway: nothing lost or counted twice.
    const sum = (rows: typeof slots) => rows.reduce((n, r) => n + Number(r.offered), 0);
    expect(sum(patterns)).toBe(sum(slots));
  });

  test('the forecast from week patterns is the forecast from the slots', async () => {
    const settings = await getSettings(ctx.deps.db);
    for (const now of ['2026-04-08T12:00:00Z', '2026-11-04T12:00:00Z']) {
      const filter = filterOf(zone, '2026-01-01', '2026-01-31');
      const range = forecastRange(filter, settings, new Date(now));
      const slots = await slotSums(ctx.deps.db, { teamIds: 'all' }, range, settings.service_level_threshold_s);
      const forecast = await forecastWeek(ctx.deps.db, filter, settings, new Date(now));
      expect(forecast).toEqual(forecastOf(slots, filter, settings, new Date(now)));
      expect(forecast.intervals.length).toBeGreaterThan(20);
    }
  });

  test('the cuts are the ranges asked for and every quarter hour where the offset changes (Intl as oracle)', () => {
    const [start, end] = [Date.parse('2026-01-01T00:00:00Z'), Date.parse('2027-01-01T00:00:00Z')];
    const asked = ['2026-06-10T13:15:00.000Z', '2026-06-30T00:00:00.000Z'];
    const cuts = patternCuts(start, end, { timeZone: zone, cuts: [...asked, '2025-06-01T00:00:00.000Z'] });
    const expected = new Set([start, end, ...asked.map(Date.parse)]);
    const offsetAt = intlOffsetOf(zone);
    let before = offsetAt(start);
    for (let q = start + 900_000; q < end; q += 900_000) {
      const offset = offsetAt(q);
      if (offset !== before) expected.add(q);
      before = offset;
    }
    expect(cuts).toEqual([...expected].sort((a, b) => a - b).map((ms) => new Date(ms).toISOString()));
    // Two changes a year where the zone has summer time, none where it has not.
    expect(cuts.length).toBe(4 + (['Asia/Kathmandu', 'UTC'].includes(zone) ? 0 : 2));
  });
});

test('segments are summed apart: a cut inside a week keeps the slots on either side in their own rows', async () => {
  const cuts = ['2026-03-02T00:00:00.000Z', '2026-03-05T12:00:00.000Z', '2026-03-16T00:00:00.000Z'];
  const rows = await weekPatternSumsFromRollup(ctx.deps.db, { teamIds: 'all' }, cuts);
  const slots = await slotSums(ctx.deps.db, { teamIds: 'all' }, { start: cuts[0], end: cuts[2] }, 30);
  const cut = cuts[1] as string;
  const offeredIn = (segment: number) =>
    rows.filter((r) => Number(r.segment) === segment).reduce((n, r) => n + Number(r.offered), 0);
  const slotOffered = (keep: (slot: string) => boolean) =>
    slots.filter((s) => keep(s.slot)).reduce((n, s) => n + Number(s.offered), 0);
  expect(offeredIn(0)).toBe(slotOffered((slot) => slot < cut));
  expect(offeredIn(1)).toBe(slotOffered((slot) => slot >= cut));
  expect(offeredIn(0)).toBeGreaterThan(0);
  expect(offeredIn(1)).toBeGreaterThan(0);
});

test('the page report over a range of weeks still equals the slots in a zone with a half-hour change (intradayOf)', async () => {
  const settings = await getSettings(ctx.deps.db);
  const filter = filterOf('Australia/Lord_Howe', '2026-03-01', '2026-10-31', { intervalMinutes: 15 });
  const range = { start: filter.from, end: filter.to };
  const slots = await slotSums(ctx.deps.db, filter, range, 30);
  const patterns = await slotSums(ctx.deps.db, filter, range, 30, { timeZone: filter.timeZone, cuts: [] });
  const page = intradayOf(patterns, filter, 30, settings, { everyInterval: false });
  expect(page).toEqual(intradayOf(slots, filter, 30, settings, { everyInterval: false }));
  // Half-hour offsets put calls on :00, :15, :30 and :45 locally: the table has every quarter of the day.
  expect(page.byTime.length).toBe(96);
});
