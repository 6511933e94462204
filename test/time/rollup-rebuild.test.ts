import { localDateOf, localDayStartText } from '../../src/lib/date-range';
import type { ReportFilter } from '../../src/reports/filters';
import { refreshAllRollups, refreshRollups, rollupDays, rollupProgress } from '../../src/reports/rollups';
import { serviceLevel } from '../../src/reports/service-level';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn } from '../helpers/http';
import { insertCalls } from '../helpers/reports';
import { api, tokenFor } from '../helpers/scoring';

// Changing the center's zone rebuilds the daily roll-ups (DOMAIN.md, Time): the settings page shows how far the
// rebuild is, the rebuilt figures equal the raw path's in the new zone, and a restart in the middle resumes
// from the days still marked (the marks are durable) instead of starting over.

jest.setTimeout(120_000);

let ctx: TestContext;
let org: Org;
const contexts: TestContext[] = [];

beforeEach(async () => {
  ctx = makeTestApp();
  contexts.push(ctx);
  org = await buildOrg(ctx.deps);
});
afterEach(async () => {
  for (const open of contexts.splice(0)) await open.close();
});

const ZONE = 'Asia/Kolkata';
const FIRST_DAY = '2026-08-01';
const LAST_DAY = '2026-10-31';

/** About 500 inbound calls spread over three months, some near local and UTC midnights. */
function spreadCalls() {
  const calls = [];
  for (let i = 0; i < 500; i += 1) {
    const at = Date.parse(`${FIRST_DAY}T00:00:00Z`) + i * 15_797_000; // every ~4.4 hours, drifting over the clock
    calls.push({
      started_at: new Date(at).toISOString(),
      team_id: org.teamA,
      queue_wait_s: (i * 11) % 70,
      duration_s: 120,
      abandoned: i % 7 === 0,
      hold_s: i % 30,
    });
  }
  return calls;
}

function reportFilter(zone: string): ReportFilter {
  return {
    from: localDayStartText(FIRST_DAY, zone),
    to: localDayStartText(LAST_DAY, zone, 1),
    fromDate: FIRST_DAY,
    toDate: LAST_DAY,
    teamIds: 'all',
    group: 'day',
    timeZone: zone,
  };
}

test('a zone change is rebuilt with progress shown, resumes after a restart, and matches the raw path', async () => {
  const calls = spreadCalls();
  await insertCalls(ctx.deps, calls);
  await refreshAllRollups(ctx.deps.db);
  expect(await rollupProgress(ctx.deps.db)).toMatchObject({ pending: false, left: 0 });

  const admin = api(ctx.app, await tokenFor(ctx.deps, org.admin));
  expect((await admin.patch('/api/v1/settings', { time_zone: ZONE })).status).toBe(200);
  expect(await rollupProgress(ctx.deps.db)).toMatchObject({ pending: true, done: 0 });
  const page = await signIn(ctx.app, org.admin.username);
  expect((await page.get('/admin/settings')).text).toContain('Rebuilding report roll-ups for the new zone (starting)');

  // Part of the rebuild (a report over ten days refreshes those first), then the process "dies".
  await refreshRollups(ctx.deps.db, 'calls', '2026-09-01', '2026-09-11');
  const partway = await rollupProgress(ctx.deps.db);
  expect(partway.pending).toBe(false);
  expect(partway.done).toBeGreaterThan(0);
  expect(partway.left).toBeGreaterThan(0);
  const shown = (await page.get('/admin/settings')).text;
  expect(shown).toContain(`${partway.left} of ${partway.total} days left`);

  // After the restart the start-up refresh does only what is left, not the whole history again.
  const after = ctx.restart();
  contexts.push(after);
  const redone = await refreshAllRollups(after.deps.db);
  expect(redone).toBeGreaterThan(0);
  expect(redone).toBeLessThanOrEqual(partway.left);
  expect(await rollupProgress(after.deps.db)).toMatchObject({ pending: false, left: 0, done: partway.total });
  expect((await page.get('/admin/settings')).text).not.toContain('Rebuilding report roll-ups');

  // The rebuilt roll-ups give the raw path's figures in the new zone, day by day, and a JavaScript oracle's.
  const filter = reportFilter(ZONE);
  const raw = { ...filter, from: filter.from.replace(/Z$/, '+00:00'), to: filter.to.replace(/Z$/, '+00:00') };
  expect(rollupDays(filter)).not.toBeNull();
  expect(rollupDays(raw)).toBeNull();
  const viaRollup = await serviceLevel(after.deps.db, filter, 30);
  expect(viaRollup).toEqual(await serviceLevel(after.deps.db, raw, 30));
  const oracle = new Map<string, number>();
  for (const c of calls) {
    const ms = Date.parse(c.started_at);
    if (ms < Date.parse(filter.from) || ms >= Date.parse(filter.to)) continue;
    const day = localDateOf(ms, ZONE);
    oracle.set(day, (oracle.get(day) ?? 0) + 1);
  }
  const got = new Map(viaRollup.buckets.filter((b) => b.offered > 0).map((b) => [b.bucket, b.offered]));
  expect(got).toEqual(oracle);
});
