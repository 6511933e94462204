import type { EvaluationStatus } from '../../src/db/schema';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { insertCalls, tenPointRubric } from '../helpers/reports';

// The scorecards of test/evaluations/list-by-team*.test.ts: 300 over the three teams, unevenly (team A every
// second one), in every status, some of them calibration scorecards.

export interface Card {
  id: number;
  team_id: number;
  kind: 'standard' | 'calibration';
  status: EvaluationStatus;
}

const STATUSES: EvaluationStatus[] = ['draft', 'submitted', 'released', 'acknowledged', 'released'];

export async function seedCards(ctx: TestContext, org: Org): Promise<Card[]> {
  const rubric = await tenPointRubric(ctx.deps);
  const agents = [org.csrA, org.csrB, org.otherCsr];
  const teamOf = (i: number) => agents[i % 2 === 0 ? 0 : i % 3 === 0 ? 1 : 2]!;
  const callIds = await insertCalls(
    ctx.deps,
    Array.from({ length: 300 }, (_, i) => ({ started_at: '2026-11-02T10:00:00.000Z', agent: teamOf(i) })),
  );
  const cards: Card[] = [];
  for (const [i, callId] of callIds.entries()) {
    const agent = teamOf(i);
    const kind = i % 11 === 0 ? ('calibration' as const) : ('standard' as const);
    const status = STATUSES[i % STATUSES.length]!;
    const row = await ctx.deps.db
      .insertInto('evaluations')
      .values({
        call_id: callId,
        rubric_id: rubric.id,
        agent_id: agent.id,
        team_id: agent.team_id,
        evaluator_id: org.supervisorA.id,
        kind,
        status,
        created_at: '2026-11-03T10:00:00.000Z',
        updated_at: '2026-11-03T10:00:00.000Z',
        updated_by: org.supervisorA.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    cards.push({ id: row.id, team_id: agent.team_id!, kind, status });
  }
  return cards;
}

/**
 * One SQLite app with the seeded scorecards for a whole suite (the plan tests only read it): hooks registered
 * here, the app and org filled in before the first test.
 */
export function seededCardsForSuite(): { ctx: TestContext; org: Org } {
  const suite = {} as { ctx: TestContext; org: Org };
  beforeAll(async () => {
    suite.ctx = makeTestApp();
    suite.org = await buildOrg(suite.ctx.deps);
    await seedCards(suite.ctx, suite.org);
  });
  afterAll(async () => suite.ctx.close());
  return suite;
}
