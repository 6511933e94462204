import { listEvaluations } from '../../src/evaluations/evaluations.queries';
import { statementsDuring } from '../helpers/statements';
import { makeTestApp, sqliteOf, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { seedCards } from './list-fixture';

// SQLite's plan for a few teams' scorecard list (list-by-team.test.ts checks the pages on both engines).

let ctx: TestContext;
let org: Org;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  await seedCards(ctx, org);
});
afterAll(async () => ctx.close());

test('each team is read newest first through its own index and stopped after the page, nothing sorted inside', async () => {
  const ran = await statementsDuring(ctx, () =>
    listEvaluations(ctx.deps.db, { teamIds: [org.teamA, org.teamB], statuses: ['submitted'], limit: 10 }),
  );
  const text = ran.find((s) => s.includes('union all'))!;
  expect(text).toBeDefined();
  const params = [...['standard', org.teamA, 'submitted', 11], ...['standard', org.teamB, 'submitted', 11], 11];
  const plan = sqliteOf(ctx.database)
    .prepare(`explain query plan ${text}`)
    .all(...params) as Array<{ id: number; parent: number; detail: string }>;
  const arms = plan.filter((p) => p.detail === 'CO-ROUTINE arm').map((p) => p.id);
  expect(arms).toHaveLength(2);
  const insideArm = (node: { parent: number }): boolean => {
    if (arms.includes(node.parent)) return true;
    const parent = plan.find((p) => p.id === node.parent);
    return parent ? insideArm(parent) : false;
  };
  const inArms = plan.filter(insideArm).map((p) => p.detail);
  expect(inArms.filter((d) => d.startsWith('SEARCH e '))).toEqual([
    'SEARCH e USING INDEX evaluations_team_kind_id_idx (team_id=? AND kind=?)',
    'SEARCH e USING INDEX evaluations_team_kind_id_idx (team_id=? AND kind=?)',
  ]);
  expect(inArms.filter((d) => d.includes('TEMP B-TREE'))).toEqual([]);
});
