import { listEvaluations } from '../../src/evaluations/evaluations.queries';
import { insideArms, planOf, statementsDuring } from '../helpers/statements';
import { seededCardsForSuite } from './list-fixture';

// SQLite's plan for a few teams' scorecard list (list-by-team.test.ts checks the pages on both engines).

const suite = seededCardsForSuite();

test('each team is read newest first through its own index and stopped after the page, nothing sorted inside', async () => {
  const { ctx, org } = suite;
  const ran = await statementsDuring(ctx, () =>
    listEvaluations(ctx.deps.db, { teamIds: [org.teamA, org.teamB], statuses: ['submitted'], limit: 10 }),
  );
  const text = ran.find((s) => s.includes('union all'))!;
  expect(text).toBeDefined();
  const params = [...['standard', org.teamA, 'submitted', 11], ...['standard', org.teamB, 'submitted', 11], 11];
  const plan = planOf(ctx, text, params);
  const { arms, rows } = insideArms(plan);
  expect(arms).toBe(2);
  const inArms = rows.map((p) => p.detail);
  expect(inArms.filter((d) => d.startsWith('SEARCH e '))).toEqual([
    'SEARCH e USING INDEX evaluations_team_kind_id_idx (team_id=? AND kind=?)',
    'SEARCH e USING INDEX evaluations_team_kind_id_idx (team_id=? AND kind=?)',
  ]);
  expect(inArms.filter((d) => d.includes('TEMP B-TREE'))).toEqual([]);
});
