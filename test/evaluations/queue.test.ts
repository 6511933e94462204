import { countUnscored, unscoredCalls } from '../../src/evaluations/queue.queries';
import { insideArms, statementsDuring, type PlanRow } from '../helpers/statements';
import { makeTestApp, sqliteOf, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { insertCalls, type CallFixture } from '../helpers/reports';

// The scoring queue: calls of the scope's teams with a stored recording, an agent and no scorecard yet,
// newest first (ties by id, newest first). A team scope is read one team at a time and merged; the
// expected rows here are worked out from the fixture alone, whatever the plan.

let ctx: TestContext;
let org: Org;

interface QueueCall {
  id: number;
  started_at: string;
  team_id: number;
  category: string | null;
  queued: boolean;
}

let fixture: QueueCall[];

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  fixture = await seedCalls();
});
afterAll(async () => ctx.close());

const RECORDING = ['stored', null, 'missing', 'deleted'] as const;

/**
 * 240 calls over the three teams in turn, 40 start times (several calls share one): every fourth without
 * a stored recording, every fifth already scored, every seventh abandoned (no agent), two categories.
 */
async function seedCalls(): Promise<QueueCall[]> {
  const agents = [org.csrA, org.csrB, org.otherCsr];
  const fixtures: CallFixture[] = Array.from({ length: 240 }, (_, i) => ({
    started_at: new Date(Date.parse('2026-11-01T00:00:00.000Z') + ((i * 13) % 40) * 3_600_000).toISOString(),
    agent: agents[i % 3],
    abandoned: i % 7 === 0,
    team_id: agents[i % 3].team_id,
    category: i % 2 === 0 ? 'billing' : null,
  }));
  const ids = await insertCalls(ctx.deps, fixtures);
  const calls: QueueCall[] = [];
  for (const [i, id] of ids.entries()) {
    const recording = RECORDING[i % 4 === 3 ? 1 + (i % 3) : 0];
    const scored = i % 5 === 0;
    await ctx.deps.db
      .updateTable('calls')
      .set({ recording_status: recording, evaluation_count: scored ? 1 : 0 })
      .where('id', '=', id)
      .execute();
    calls.push({
      id,
      started_at: fixtures[i].started_at,
      team_id: fixtures[i].team_id!,
      category: fixtures[i].category ?? null,
      queued: recording === 'stored' && !scored && !fixtures[i].abandoned,
    });
  }
  return calls;
}

function expectedQueue(teamIds: number[] | 'all', limit: number, category?: string): number[] {
  return fixture
    .filter((c) => c.queued && (teamIds === 'all' || teamIds.includes(c.team_id)))
    .filter((c) => !category || c.category === category)
    .sort((a, b) => (a.started_at < b.started_at ? 1 : a.started_at > b.started_at ? -1 : b.id - a.id))
    .slice(0, limit)
    .map((c) => c.id);
}

describe('scoring queue', () => {
  test.each([
    ['one team', () => [org.teamA], 25, undefined],
    ['two teams, merged', () => [org.teamA, org.teamB], 25, undefined],
    ['two teams, more rows than one team has', () => [org.teamA, org.teamB], 200, undefined],
    ['two teams and a category', () => [org.teamA, org.teamB], 25, 'billing'],
    ['all teams', () => 'all' as const, 25, undefined],
    ['no teams', () => [], 25, undefined],
    [
      'more teams than are merged',
      () => [org.teamA, org.teamB, ...Array.from({ length: 60 }, (_, i) => 10_000 + i)],
      25,
      undefined,
    ],
  ])('%s: the unscored recorded calls, newest first', async (_label, teams, limit, category) => {
    const teamIds: number[] | 'all' = teams();
    const queue = await unscoredCalls(ctx.deps.db, teamIds, limit, category);
    const expected = expectedQueue(teamIds, limit, category);
    expect(queue.map((c) => c.id)).toEqual(expected);
    if (teamIds !== 'all' && teamIds.length > 0) expect(expected.length).toBeGreaterThan(10);
  });

  test('the fixture has calls sharing a start time in the queue', () => {
    const times = expectedQueue([org.teamA, org.teamB], 200).map((id) => fixture.find((c) => c.id === id)!.started_at);
    expect(new Set(times).size).toBeLessThan(times.length);
  });

  test('a team scope is read through each team’s start-time index, not through every team’s recordings', async () => {
    const ran = await statementsDuring(ctx, () => unscoredCalls(ctx.deps.db, [org.teamA, org.teamB], 25));
    const text = ran.find((sql) => sql.includes('"evaluation_count" = ?'))!;
    const plan = sqliteOf(ctx.database)
      .prepare(`explain query plan ${text}`)
      .all(0, org.teamA, 'stored', 25, 0, org.teamB, 'stored', 25, 25) as PlanRow[];
    const calls = plan.map((p) => p.detail).filter((d) => / calls /.test(d));
    expect(calls).toEqual([
      'SEARCH calls USING INDEX calls_team_started_idx (team_id=?)',
      'SEARCH calls USING INDEX calls_team_started_idx (team_id=?)',
    ]);
    // Each team's arm takes its order from the index and stops after the page's rows: nothing is sorted inside an
    // arm; only the arms' rows (at most teams × limit) are sorted to merge them.
    const { arms, rows } = insideArms(plan);
    expect(arms).toBe(2);
    expect(rows.filter((p) => p.detail.startsWith('USE TEMP B-TREE'))).toEqual([]);
  });

  test('the count of unscored calls matches the queue', async () => {
    const teamIds = [org.teamA, org.teamB];
    expect(await countUnscored(ctx.deps.db, teamIds)).toBe(expectedQueue(teamIds, 1000).length);
  });
});
