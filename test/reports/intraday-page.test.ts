import type { ReportFilter } from '../../src/reports/filters';
import { forecastWeek, intradayReport } from '../../src/reports/intraday';
import { intradayAndForecast } from '../../src/reports/intraday-page';
import { getSettings } from '../../src/settings/settings.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { insertCalls, localDaysFilter } from '../helpers/reports';
import { api, tokenFor } from '../helpers/scoring';

// The service level page's intraday report and forecast come from one read of the slot roll-up when their ranges
// meet: each must be exactly what its own read gives, in every case the shared read takes and every one it leaves.

let ctx: TestContext;
let org: Org;
const NOW = new Date('2026-11-25T15:00:00Z'); // a Wednesday

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  const admin = api(ctx.app, await tokenFor(ctx.deps, org.admin));
  expect((await admin.patch('/api/v1/settings', { time_zone: 'America/New_York' })).status).toBe(200);
  // Twenty weeks of inbound calls up to now, at odd minutes, on two teams, waits either side of 30 s and of 40 s.
  const first = Date.parse('2026-07-06T11:07:00Z');
  const calls = Array.from({ length: 900 }, (_, i) => ({
    started_at: new Date(first + i * 3.7 * 3_600_000).toISOString(),
    team_id: i % 3 === 0 ? org.teamB : org.teamA,
    agent: i % 3 === 0 ? org.csrB : org.csrA,
    queue_wait_s: [45, 35, 12, 12][i % 4],
    duration_s: 180 + (i % 7) * 20,
    hold_s: i % 5,
  }));
  // And calls in the first and last quarter hours of the ranges below, where a slot is in one read and not the other.
  const edges = [
    '2026-08-28T04:05:00Z',
    '2026-09-28T04:02:00Z',
    '2026-09-29T03:58:00Z',
    '2026-11-23T04:50:00Z',
    '2026-11-23T05:01:00Z',
    '2026-11-23T05:59:00Z',
  ].map((started_at, i) => ({
    started_at,
    team_id: org.teamA,
    agent: org.csrA,
    queue_wait_s: 20 + i,
    duration_s: 100,
  }));
  await insertCalls(ctx.deps, [...calls.filter((c) => Date.parse(c.started_at) < NOW.getTime()), ...edges]);
});
afterAll(async () => ctx.close());

const filterOf = (fromDate: string, toDate: string, extra: Partial<ReportFilter> = {}) =>
  localDaysFilter('America/New_York', fromDate, toDate, extra);

async function separately(filter: ReportFilter, thresholdS: number) {
  const settings = await getSettings(ctx.deps.db);
  return [
    await intradayReport(ctx.deps.db, filter, thresholdS, settings, { everyInterval: false }),
    await forecastWeek(ctx.deps.db, filter, settings, NOW),
  ];
}

test.each([
  ['the last 90 days (the forecast weeks inside)', filterOf('2026-08-28', '2026-11-25')],
  ["a range whose last day is the forecast weeks' first", filterOf('2026-08-01', '2026-09-28')],
  ['a range overlapping the forecast weeks at their start', filterOf('2026-08-15', '2026-10-10')],
  ['one team', filterOf('2026-08-28', '2026-11-25', { teamIds: [0] })],
  ['a range far before the forecast weeks', filterOf('2026-07-06', '2026-07-20')],
  ['an agent chosen', filterOf('2026-08-28', '2026-11-25', { agentId: 0 })],
  [
    '30-minute intervals not on the whole days',
    { ...filterOf('2026-08-28', '2026-11-25'), from: '2026-08-28T04:10:00.000Z' },
  ],
])('%s: the page gets what each read alone gives', async (_, filter) => {
  const resolved = { ...filter };
  if (Array.isArray(filter.teamIds)) resolved.teamIds = [org.teamA];
  if (filter.agentId === 0) resolved.agentId = org.csrA.id;
  const settings = await getSettings(ctx.deps.db);
  const together = await intradayAndForecast(ctx.deps.db, resolved, 30, settings, NOW);
  expect(together).toEqual(await separately(resolved, 30));
  // Some calls in each, so the comparison is of figures, not of empties.
  expect(together[0].total.offered).toBeGreaterThan(0);
  expect(together[1].intervals.length).toBeGreaterThan(0);
});

test('another threshold than the configured one: each read alone, and the same figures', async () => {
  const filter = filterOf('2026-08-28', '2026-11-25');
  const settings = await getSettings(ctx.deps.db);
  const together = await intradayAndForecast(ctx.deps.db, filter, 40, settings, NOW);
  expect(together).toEqual(await separately(filter, 40));
  // Waits of 35 s are within 40 s and not within 30 s: the threshold was really the one asked for.
  const at30 = (await separately(filter, 30))[0] as Awaited<ReturnType<typeof intradayReport>>;
  expect(together[0].total.answered_within).toBeGreaterThan(at30.total.answered_within);
});
