// Saving settings while report days are already marked stale. The settings trigger marks days computed for
// another answer threshold stale with INSERT OR IGNORE; an upsert (INSERT … ON CONFLICT DO UPDATE) on settings
// overrode that OR IGNORE inside the trigger, so a second threshold change before the roll-ups caught up was a
// 500 (UNIQUE constraint failed: rollup_dirty), found by the API fuzz test.
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { rollupTeamDayFor } from '../helpers/reports';
import { api, tokenFor } from '../helpers/scoring';

let ctx: TestContext;
let org: Org;

beforeEach(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
});
afterEach(async () => ctx.close());

async function staleDayComputedFor(thresholdS: number): Promise<void> {
  await rollupTeamDayFor(ctx.deps, '2026-11-20', org.teamA, thresholdS);
  await ctx.deps.db.insertInto('rollup_dirty').values({ kind: 'calls', day: '2026-11-20' }).execute();
}

test('changing the answer threshold while a day is already stale saves (200), and the day stays stale once', async () => {
  await staleDayComputedFor(30);
  const admin = api(ctx.app, await tokenFor(ctx.deps, org.admin));
  const res = await admin.patch('/api/v1/settings', { service_level_threshold_s: 20 });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ service_level_threshold_s: 20 });
  const again = await admin.patch('/api/v1/settings', { service_level_threshold_s: 45, agent_channel: 'right' });
  expect(again.status).toBe(200);
  const dirty = await ctx.deps.db.selectFrom('rollup_dirty').selectAll().execute();
  expect(dirty).toEqual([{ kind: 'calls', day: '2026-11-20' }]);
});

test('the first change of the threshold marks the days computed for the old one stale', async () => {
  await staleDayComputedFor(30);
  await ctx.deps.db.deleteFrom('rollup_dirty').execute();
  const admin = api(ctx.app, await tokenFor(ctx.deps, org.admin));
  expect((await admin.patch('/api/v1/settings', { service_level_threshold_s: 20 })).status).toBe(200);
  expect(await ctx.deps.db.selectFrom('rollup_dirty').selectAll().execute()).toEqual([
    { kind: 'calls', day: '2026-11-20' },
  ]);
});
