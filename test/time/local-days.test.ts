import request from 'supertest';
import { localDateOf, localDayStartText } from '../../src/lib/date-range';
import { mondayOf } from '../../src/lib/zones';
import type { ReportFilter } from '../../src/reports/filters';
import { intradayReport } from '../../src/reports/intraday';
import { slotSumsFromCalls, slotSumsFromRollup, type SlotSums } from '../../src/reports/intraday.queries';
import { refreshAllRollups, rollupDays } from '../../src/reports/rollups';
import { serviceLevel } from '../../src/reports/service-level';
import { getSettings } from '../../src/settings/settings.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn } from '../helpers/http';
import { insertCalls } from '../helpers/reports';
import { api, tokenFor } from '../helpers/scoring';

// Every day, week and interval is local to the center's time zone (DOMAIN.md, Time). Calls at 23:59 and 00:00
// local land on different days; a 23- and a 25-hour day are one day each; the roll-up path (whole local days)
// and the raw path (the same instants written with +00:00, which the roll-up does not take) agree.

let ctx: TestContext;
let org: Org;
let admin: ReturnType<typeof api>;

beforeEach(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  admin = api(ctx.app, await tokenFor(ctx.deps, org.admin));
});
afterEach(async () => ctx.close());

async function setZone(zone: string) {
  const res = await admin.patch('/api/v1/settings', { time_zone: zone });
  expect(res.status).toBe(200);
  expect(res.body.time_zone).toBe(zone);
}

const inbound = (started_at: string, wait = 10) => ({
  started_at,
  team_id: org.teamA,
  queue_wait_s: wait,
  duration_s: 200,
});

async function daily(from: string, to: string, extra = '') {
  const res = await admin.get(`/api/v1/reports/service-level?from=${from}&to=${to}&group=day${extra}`);
  expect(res.status).toBe(200);
  return res.body as { periods: Array<{ bucket: string; offered: number }>; buckets?: Array<Record<string, unknown>> };
}

const offeredByDay = (body: { periods: Array<{ bucket: string; offered: number }> }) =>
  Object.fromEntries(body.periods.filter((p) => p.offered > 0).map((p) => [p.bucket, p.offered]));

test('the time zone is a validated setting: an unknown zone is a 422 in plain words, a known one is canonical', async () => {
  const bad = await admin.patch('/api/v1/settings', { time_zone: 'Mars/Olympus_Mons' });
  expect(bad.status).toBe(422);
  expect(JSON.stringify(bad.body.error.details)).toMatch(/not a time zone we know/);
  expect((await admin.get('/api/v1/settings')).body.time_zone).toBe('UTC');
  await setZone('America/New_York');
  const lower = await admin.patch('/api/v1/settings', { time_zone: 'asia/kolkata' });
  expect(lower.body.time_zone).toBe('Asia/Kolkata');
});

test.each([
  ['America/New_York', '2026-11-10T04:59:00.000Z', '2026-11-10T05:00:00.000Z'], // 23:59 and 00:00 EST
  ['Asia/Kolkata', '2026-11-10T18:29:00.000Z', '2026-11-10T18:30:00.000Z'], // 23:59 and 00:00 IST (+05:30)
])('in %s a call at 23:59 local is on the 9th/10th and one at 00:00 on the next day', async (zone, before, at) => {
  await setZone(zone);
  await insertCalls(ctx.deps, [inbound(before), inbound(at)]);
  const days = offeredByDay(await daily('2026-11-08', '2026-11-12'));
  const first = zone === 'Asia/Kolkata' ? '2026-11-10' : '2026-11-09';
  const second = zone === 'Asia/Kolkata' ? '2026-11-11' : '2026-11-10';
  expect(days).toEqual({ [first]: 1, [second]: 1 });
  // The same through the raw path (an ISO range that is not whole local days) and after a roll-up refresh.
  await refreshAllRollups(ctx.deps.db);
  expect(offeredByDay(await daily('2026-11-08', '2026-11-12'))).toEqual(days);
});

test('New York: the 23-hour day in March and the 25-hour day in November are one day each, hour by hour', async () => {
  await setZone('America/New_York');
  // One call each local hour of 2026-03-08 (clocks jump 02:00 → 03:00: 23 hours) and 2026-11-01 (01:00 twice: 25).
  const spring = Array.from({ length: 23 }, (_, h) => new Date(Date.parse('2026-03-08T05:00:00Z') + h * 3_600_000));
  const autumn = Array.from({ length: 25 }, (_, h) => new Date(Date.parse('2026-11-01T04:00:00Z') + h * 3_600_000));
  await insertCalls(
    ctx.deps,
    [...spring, ...autumn].map((d) => inbound(d.toISOString())),
  );
  expect(offeredByDay(await daily('2026-03-07', '2026-03-09'))).toEqual({ '2026-03-08': 23 });
  expect(offeredByDay(await daily('2026-10-31', '2026-11-02'))).toEqual({ '2026-11-01': 25 });
  // 60-minute intervals: the autumn day has two 01:00 intervals (EDT, then EST), with their own offsets.
  const body = await daily('2026-11-01', '2026-11-01', '&interval=60m');
  const starts = (body.buckets ?? []).map((b) => String(b.start));
  expect(starts).toHaveLength(25);
  expect(starts).toContain('2026-11-01T01:00:00-04:00');
  expect(starts).toContain('2026-11-01T01:00:00-05:00');
  expect(starts[0]).toBe('2026-11-01T00:00:00-04:00');
});

test('a week crossing a month is one Monday week, in local days', async () => {
  await setZone('Asia/Kolkata');
  // Thursday 2026-10-29 … Tuesday 2026-11-03, each at 00:10 local (18:40 UTC the day before).
  const days = ['2026-10-28', '2026-10-29', '2026-10-30', '2026-10-31', '2026-11-01', '2026-11-02'];
  await insertCalls(
    ctx.deps,
    days.map((d) => inbound(`${d}T18:40:00.000Z`)),
  );
  const res = await admin.get('/api/v1/reports/service-level?from=2026-10-26&to=2026-11-08&interval=week');
  expect(res.status).toBe(200);
  const weeks = (res.body.periods as Array<{ bucket: string; offered: number }>).map((p) => [p.bucket, p.offered]);
  // Local dates: Thu 29, Fri 30, Sat 31, Sun 1 → week of Mon 26 Oct (4); Mon 2, Tue 3 → week of 2 Nov (2).
  expect(weeks).toEqual([
    ['2026-10-26', 4],
    ['2026-11-02', 2],
  ]);
  expect(res.body.buckets.map((b: { start: string }) => b.start)).toEqual([
    '2026-10-26T00:00:00+05:30',
    '2026-11-02T00:00:00+05:30',
  ]);
});

test.each(['UTC', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Asia/Kathmandu'])(
  'roll-up and raw paths and a JavaScript oracle agree by day, week and interval in %s',
  async (zone) => {
    await setZone(zone);
    const calls = [];
    for (let i = 0; i < 300; i += 1) {
      const at = Date.parse('2026-10-20T00:00:00Z') + i * 2_713_000; // about every 45 minutes for ~10 days
      // Three teams' calls (the second team, the first, and none), so the all-team and per-team sums differ.
      const team_id = [org.teamB, org.teamA, null][i % 3];
      calls.push({
        ...inbound(new Date(at).toISOString(), (i * 7) % 60),
        team_id,
        abandoned: i % 9 === 0,
        hold_s: i % 40,
      });
    }
    await insertCalls(ctx.deps, calls);
    const db = ctx.deps.db;
    const threshold = 30;
    for (const group of ['day', 'week'] as const) {
      const filter: ReportFilter = {
        from: localDayStartText('2026-10-21', zone),
        to: localDayStartText('2026-10-27', zone, 1),
        fromDate: '2026-10-21',
        toDate: '2026-10-27',
        teamIds: 'all',
        group,
        timeZone: zone,
      };
      const raw = { ...filter, from: filter.from.replace(/Z$/, '+00:00'), to: filter.to.replace(/Z$/, '+00:00') };
      expect(rollupDays(filter)).not.toBeNull();
      expect(rollupDays(raw)).toBeNull();
      const viaRollup = await serviceLevel(db, filter, threshold);
      const viaRaw = await serviceLevel(db, raw, threshold);
      expect(viaRollup).toEqual(viaRaw);
      // The oracle: each call's local date (Luxon-free: Intl through localDateOf), summed in JavaScript.
      const oracle = new Map<string, number>();
      for (const c of calls) {
        const ms = Date.parse(c.started_at);
        if (ms < Date.parse(filter.from) || ms >= Date.parse(filter.to)) continue;
        const day = localDateOf(ms, zone);
        const key = group === 'day' ? day : mondayOf(day);
        oracle.set(key, (oracle.get(key) ?? 0) + 1);
      }
      const got = new Map(viaRollup.buckets.filter((b) => b.offered > 0).map((b) => [b.bucket, b.offered]));
      expect(got).toEqual(oracle);
    }
    // 15-minute slots: the roll-up and the calls give the same sums.
    const range = { start: localDayStartText('2026-10-21', zone), end: localDayStartText('2026-10-27', zone, 1) };
    await refreshAllRollups(db);
    const bySlot = (rows: SlotSums[]) => [...rows].map((r) => ({ ...r })).sort((x, y) => x.slot.localeCompare(y.slot));
    // All teams (read from the all-team table) and each team alone (summed from the per-team rows).
    for (const teamIds of ['all', [org.teamA], [org.teamB], [org.teamA, org.teamB]] as const) {
      const filter = { teamIds: teamIds === 'all' ? teamIds : [...teamIds] };
      const viaRollup = bySlot(await slotSumsFromRollup(db, filter, range.start, range.end));
      expect(viaRollup.length).toBeGreaterThan(teamIds.length === 1 ? 50 : 100);
      expect(viaRollup).toEqual(bySlot(await slotSumsFromCalls(db, filter, range.start, range.end, threshold)));
    }
  },
);

test('a CSR cannot read the service-level report or its intervals', async () => {
  const csr = api(ctx.app, await tokenFor(ctx.deps, org.csrA));
  const res = await csr.get('/api/v1/reports/service-level?interval=15m');
  expect([403, 404]).toContain(res.status);
  const page = await request(ctx.app).get('/reports/service-level');
  expect(page.status).not.toBe(200);
  const agent = await signIn(ctx.app, org.csrA.username);
  expect((await agent.get('/reports/service-level')).status).not.toBe(200);
});

test('the page reads the intraday report without its every-interval list: heat map, table and total unchanged', async () => {
  await setZone('America/New_York');
  // Calls on either side of the autumn clock change, at odd minutes, with waits either side of the threshold.
  const starts = Array.from({ length: 60 }, (_, i) => Date.parse('2026-10-30T12:07:00Z') + i * 97 * 60_000);
  await insertCalls(
    ctx.deps,
    starts.map((ms, i) => inbound(new Date(ms).toISOString(), i % 3 === 0 ? 45 : 10)),
  );
  const settings = await getSettings(ctx.deps.db);
  const filter: ReportFilter = {
    from: localDayStartText('2026-10-30', 'America/New_York'),
    to: localDayStartText('2026-11-04', 'America/New_York'),
    fromDate: '2026-10-30',
    toDate: '2026-11-03',
    teamIds: 'all',
    group: 'day',
    timeZone: 'America/New_York',
    intervalMinutes: 30,
  };
  const full = await intradayReport(ctx.deps.db, filter, 30, settings);
  const page = await intradayReport(ctx.deps.db, filter, 30, settings, { everyInterval: false });
  expect(full.buckets.reduce((n, b) => n + b.offered, 0)).toBe(60);
  expect(page.buckets).toEqual([]);
  expect(page).toEqual({ ...full, buckets: [] });
  expect(page.total.offered).toBe(60);
  expect(page.heatmap.flatMap((row) => row.cells).filter(Boolean).length).toBeGreaterThan(20);
});
