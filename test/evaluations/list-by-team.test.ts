import { listEvaluations } from '../../src/evaluations/evaluations.queries';
import type { EvaluationStatus } from '../../src/db/schema';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { seedCards, type Card } from './list-fixture';

// A supervisor's scorecard list (and the dashboard's lists) for a few teams: each team is read newest first on
// its own and the teams' ids merged, so a page costs teams × page rows instead of every scorecard of the teams
// sorted (69 ms for two teams at 10M calls on SQLite). The expected pages are worked out from the fixture alone,
// on both engines; list-by-team-plan.test.ts checks SQLite's plan.

let ctx: TestContext;
let org: Org;
let cards: Card[];

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  cards = await seedCards(ctx, org);
});
afterAll(async () => ctx.close());

function expected(teamIds: number[], statuses?: EvaluationStatus[]): number[] {
  return cards
    .filter((c) => c.kind === 'standard' && teamIds.includes(c.team_id))
    .filter((c) => !statuses || statuses.includes(c.status))
    .map((c) => c.id)
    .sort((a, b) => b - a);
}

async function allPages(teamIds: number[], limit: number, statuses?: EvaluationStatus[]): Promise<number[][]> {
  const pages: number[][] = [];
  let beforeId: number | undefined;
  for (;;) {
    const page = await listEvaluations(ctx.deps.db, {
      teamIds,
      limit,
      ...(statuses ? { statuses } : {}),
      ...(beforeId ? { beforeId } : {}),
    });
    pages.push(page.items.map((e) => e.id));
    if (page.nextBeforeId === null) return pages;
    beforeId = page.nextBeforeId;
  }
}

test.each([
  ['two teams', () => [org.teamA, org.teamB], undefined],
  ['one small team', () => [org.teamB], undefined],
  ['three teams, waiting for release', () => [org.teamA, org.teamB, org.otherTeam], ['submitted']],
  ['two teams, what a CSR may see', () => [org.teamB, org.otherTeam], ['released', 'acknowledged']],
  ['no team', () => [], undefined],
] as const)('%s: the pages are the newest scorecards of those teams, in order', async (_, teams, statuses) => {
  const teamIds = teams();
  const want = expected(teamIds, statuses ? [...statuses] : undefined);
  const pages = await allPages(teamIds, 7, statuses ? [...statuses] : undefined);
  expect(pages.flat()).toEqual(want);
  expect(pages.slice(0, -1).every((p) => p.length === 7)).toBe(true);
  if (teamIds.length) expect(want.length).toBeGreaterThan(7);
});
