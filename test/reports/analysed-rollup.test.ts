import { localDayStartText } from '../../src/lib/date-range';
import type { ReportFilter } from '../../src/reports/filters';
import { refreshAllRollups, rollupDays } from '../../src/reports/rollups';
import { analysedCallWeeksFromCalls, analysedCallWeeksFromRollup } from '../../src/reports/topics.queries';
import { requeueCall } from '../../src/analysis/analysis.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { insertCalls } from '../helpers/reports';
import { api, tokenFor } from '../helpers/scoring';

// The customer report's topic shares are over the week's analysed calls (audio analysed, or a transcript). The
// daily roll-up per team keeps that count (rollup_team_day.analysed), so an all-team report reads teams × days
// rows: the roll-up path equals the raw path on every filter, in a zone whose weeks are not UTC ones, and stays
// equal after every write that changes what is analysed (an analysis done, undone, deleted; a transcript added
// or removed), each of which marks its call's day stale.

jest.setTimeout(60_000);

const ZONE = 'America/New_York';
const FIRST_DAY = '2026-10-19'; // a Monday; clocks go back on 1 November, so one week has a 25-hour day
const LAST_DAY = '2026-11-15';
const STATUSES = ['done', 'done', 'pending', 'running', 'failed', 'no_recording', null] as const;

let ctx: TestContext;
let org: Org;
let callIds: number[];

/** A fixed pseudo-random sequence, so a failure names the same data every run. */
function sequence(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function filter(teamIds: number[] | 'all', fromDate = FIRST_DAY, toDate = LAST_DAY): ReportFilter {
  return {
    from: localDayStartText(fromDate, ZONE),
    to: localDayStartText(toDate, ZONE, 1),
    fromDate,
    toDate,
    teamIds,
    group: 'week',
    timeZone: ZONE,
  };
}

const filters = () => [
  filter('all'),
  filter([org.teamA]),
  filter([org.teamB]),
  filter([org.teamA, org.teamB]),
  filter('all', '2026-10-28', '2026-11-03'), // mid-week to mid-week, over the change of clocks
];

const byWeek = (rows: Array<{ week: string; analysed: number | string | null }>) =>
  rows.map((r) => [r.week, Number(r.analysed)]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));

async function expectPathsAgree() {
  await refreshAllRollups(ctx.deps.db);
  for (const f of filters()) {
    const days = rollupDays(f);
    expect(days).not.toBeNull();
    const raw = byWeek(await analysedCallWeeksFromCalls(ctx.deps.db, f));
    const rolled = byWeek(await analysedCallWeeksFromRollup(ctx.deps.db, f, days!));
    expect({ teams: f.teamIds, from: f.fromDate, weeks: rolled }).toEqual({
      teams: f.teamIds,
      from: f.fromDate,
      weeks: raw,
    });
  }
}

async function setAnalysis(callId: number, status: (typeof STATUSES)[number]) {
  await ctx.deps.db.deleteFrom('call_analyses').where('call_id', '=', callId).execute();
  if (status === null) return;
  const now = '2026-11-20T00:00:00.000Z';
  await ctx.deps.db
    .insertInto('call_analyses')
    .values({ call_id: callId, status, attempts: 1, enqueued_at: now, run_after: now })
    .execute();
}

async function staleDays(): Promise<string[]> {
  const rows = await ctx.deps.db.selectFrom('rollup_dirty').select('day').where('kind', '=', 'calls').execute();
  return rows.map((r) => r.day).sort();
}

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  const admin = api(ctx.app, await tokenFor(ctx.deps, org.admin));
  expect((await admin.patch('/api/v1/settings', { time_zone: ZONE })).status).toBe(200);
  const next = sequence(20261211);
  const calls = [];
  for (let i = 0; i < 400; i += 1) {
    // Spread over the four weeks and the hours around local and UTC midnight alike.
    const at = Date.parse(`${FIRST_DAY}T00:00:00Z`) + Math.floor(next() * 28 * 86_400_000);
    const team = next();
    calls.push({
      started_at: new Date(at).toISOString(),
      team_id: team < 0.45 ? org.teamA : team < 0.9 ? org.teamB : null,
      duration_s: 120,
    });
  }
  callIds = await insertCalls(ctx.deps, calls);
  for (const id of callIds) {
    await setAnalysis(id, STATUSES[Math.floor(next() * STATUSES.length)] ?? null);
    if (next() < 0.3) {
      await ctx.deps.db.updateTable('calls').set({ transcript: '[]' }).where('id', '=', id).execute();
    }
  }
});
afterAll(() => ctx.close());

test('the roll-up path counts the analysed calls per local week as the raw path does', async () => {
  await expectPathsAgree();
  // Not a vacuous agreement: most weeks have analysed calls, and not every call is one.
  const all = byWeek(await analysedCallWeeksFromCalls(ctx.deps.db, filter('all')));
  expect(all.map(([week]) => week)).toEqual(['2026-10-19', '2026-10-26', '2026-11-02', '2026-11-09']);
  const total = all.reduce((sum, [, n]) => sum + Number(n), 0);
  expect(total).toBeGreaterThan(100);
  expect(total).toBeLessThan(callIds.length);
});

test('every change of what is analysed marks its day stale, and the roll-up follows', async () => {
  await refreshAllRollups(ctx.deps.db);
  expect(await staleDays()).toEqual([]);
  const rows = await ctx.deps.db
    .selectFrom('calls')
    .leftJoin('call_analyses as a', 'a.call_id', 'calls.id')
    .select(['calls.id', 'calls.started_at', 'calls.transcript', 'a.status'])
    .orderBy('calls.id')
    .execute();
  const plain = rows.filter((r) => r.transcript === null);
  const pending = plain.find((r) => r.status === 'pending')!;
  const done = plain.find((r) => r.status === 'done')!;
  const unanalysed = plain.find((r) => r.status === null)!;
  const transcribed = rows.find((r) => r.transcript !== null && r.status !== 'done')!;

  // The analysis of a pending call finishes.
  await ctx.deps.db.updateTable('call_analyses').set({ status: 'done' }).where('call_id', '=', pending.id).execute();
  expect(await staleDays()).toEqual([pending.started_at.slice(0, 10)]);
  await expectPathsAgree();
  // A done analysis is claimed again (a re-analysis), then deleted.
  await ctx.deps.db.updateTable('call_analyses').set({ status: 'running' }).where('call_id', '=', done.id).execute();
  expect(await staleDays()).toEqual([done.started_at.slice(0, 10)]);
  await expectPathsAgree();
  await setAnalysis(pending.id, null);
  await expectPathsAgree();
  // A call gains a transcript, another loses its own.
  await ctx.deps.db.updateTable('calls').set({ transcript: '[]' }).where('id', '=', unanalysed.id).execute();
  expect(await staleDays()).toEqual([unanalysed.started_at.slice(0, 10)]);
  await ctx.deps.db.updateTable('calls').set({ transcript: null }).where('id', '=', transcribed.id).execute();
  await expectPathsAgree();
  // A change that does not touch the count marks nothing: a failed attempt retried, a transcript replaced.
  const failed = rows.find((r) => r.status === 'failed')!;
  await ctx.deps.db.updateTable('call_analyses').set({ status: 'pending' }).where('call_id', '=', failed.id).execute();
  const stillTranscribed = rows.find((r) => r.transcript !== null && r.id !== transcribed.id)!;
  await ctx.deps.db
    .updateTable('calls')
    .set({ transcript: '[{"speaker":"agent"}]' })
    .where('id', '=', stillTranscribed.id)
    .execute();
  expect(await staleDays()).toEqual([]);
});

test('a done analysis queued again by an upsert marks its day, also when the day is already stale', async () => {
  await refreshAllRollups(ctx.deps.db);
  const done = await ctx.deps.db
    .selectFrom('call_analyses')
    .innerJoin('calls', 'calls.id', 'call_analyses.call_id')
    .select(['calls.id', 'calls.started_at'])
    .where('call_analyses.status', '=', 'done')
    .orderBy('calls.id')
    .limit(2)
    .execute();
  const [first, second] = done;
  if (!first || !second) throw new Error('the fixture has fewer than two done analyses');
  await requeueCall(ctx.deps.db, first.id, '2026-11-21T00:00:00.000Z');
  expect(await staleDays()).toEqual([first.started_at.slice(0, 10)]);
  // The second call's day already stale (any other write of that day): the upsert still goes through (SQLite ran
  // the trigger's insert under the upsert's conflict policy, and it failed on the stale day's key).
  const secondDay = second.started_at.slice(0, 10);
  await ctx.deps.db
    .insertInto('rollup_dirty')
    .values({ kind: 'calls', day: secondDay })
    .onConflict((oc) => oc.doNothing())
    .execute();
  await requeueCall(ctx.deps.db, second.id, '2026-11-21T00:00:00.000Z');
  expect(await staleDays()).toEqual([...new Set([first.started_at.slice(0, 10), secondDay])].sort());
  expect(
    await ctx.deps.db.selectFrom('call_analyses').select('status').where('call_id', '=', second.id).executeTakeFirst(),
  ).toEqual({ status: 'pending' });
  await expectPathsAgree();
});
