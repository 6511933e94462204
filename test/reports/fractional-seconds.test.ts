import { refreshAllRollups } from '../../src/reports';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { insertCalls } from '../helpers/reports';
import { api, tokenFor, type Api } from '../helpers/scoring';

// Seconds with fractions (a 12.5 s queue wait) survive the daily and 15-minute roll-ups on both engines: on
// PostgreSQL the roll-ups' sums were integer columns that rounded them (migration 20261205T0400).

let ctx: TestContext;
let org: Org;
let sup: Api;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  await insertCalls(ctx.deps, [
    { started_at: '2026-11-03T09:01:00.000Z', agent: org.csrA, queue_wait_s: 12.5, hold_s: 7.25, duration_s: 95.5 },
    { started_at: '2026-11-03T09:07:00.000Z', agent: org.csrA, queue_wait_s: 12.5, hold_s: 0.5, duration_s: 60.25 },
  ]);
  sup = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  await refreshAllRollups(ctx.deps.db);
});
afterAll(async () => ctx.close());

test('the roll-ups keep the fractions of the seconds they sum', async () => {
  const day = await ctx.deps.db
    .selectFrom('rollup_team_day')
    .select((eb) => [eb.fn.sum<number>('wait_total').as('wait'), eb.fn.sum<number>('hold_total').as('hold')])
    .where('day', '=', '2026-11-03')
    .executeTakeFirstOrThrow();
  expect(Number(day.wait)).toBe(25);
  expect(Number(day.hold)).toBe(7.75);
  const slot = await ctx.deps.db
    .selectFrom('rollup_call_slot')
    .select(['wait_total', 'hold_total', 'handle_total'])
    .where('slot', 'like', '2026-11-03T09:00%')
    .executeTakeFirstOrThrow();
  expect(slot).toEqual({ wait_total: 25, hold_total: 7.75, handle_total: 155.75 });
});

test('the service level report reads a 12.5 s average wait back exactly', async () => {
  const res = await sup.get('/api/v1/reports/service-level?from=2026-11-03&to=2026-11-03');
  expect(res.status).toBe(200);
  expect(res.body.offered).toBe(2);
  expect(res.body.avg_queue_wait_s).toBe(12.5);
  expect(res.body.avg_hold_s).toBe(3.875);
});
