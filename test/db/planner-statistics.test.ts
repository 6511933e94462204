// SQLite plans by the statistics in sqlite_stat1. A migration analysed the tables when they were empty, and nothing
// analysed them again, so an installation kept "0 rows" statistics for good: the call list's latest-scorecard
// query then walked the status index over every scorecard (124 ms at 1M calls) instead of looking up the page's
// calls by call_id (0.1 ms). refreshPlannerStatistics (at start-up and every six hours) brings them up to date.
import { latestScores } from '../../src/calls/list-extras.queries';
import { refreshPlannerStatistics } from '../../src/db/planner-statistics';
import { COUNTED_IN_FIGURES } from '../../src/policy';
import { makeSqliteTestApp, sqliteOf, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { statementsDuring } from '../helpers/statements';
import {
  api,
  makeCall,
  publishedRubric,
  tokenFor,
  workedExampleAnswers,
  workedExampleRubric,
} from '../helpers/scoring';

let ctx: TestContext;
let org: Org;
const callIds: number[] = [];

beforeAll(async () => {
  ctx = makeSqliteTestApp();
  org = await buildOrg(ctx.deps);
  const rubric = await publishedRubric(ctx.deps, workedExampleRubric({ release_mode: 'on_submit' }));
  const sup = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  for (let i = 0; i < 60; i += 1) {
    const call = await makeCall(ctx.deps, org.admin, i % 2 ? org.csrA : org.csrA2);
    const res = await sup.post('/api/v1/evaluations', {
      call_id: call.id,
      rubric_id: rubric.id,
      answers: workedExampleAnswers(rubric),
      submit: true,
    });
    expect(res.status).toBe(201);
    callIds.push(call.id);
  }
});

afterAll(() => ctx.close());

/** The plan SQLite picks for the call list's latest-scorecard query over a page of the calls. */
async function latestScoresPlan(): Promise<string> {
  const page = callIds.slice(0, 5);
  const [source] = await statementsDuring(ctx, () => latestScores(ctx.deps.db, page));
  const rows = sqliteOf(ctx.database)
    .prepare(`explain query plan ${source}`)
    .all(...page, 'standard', ...COUNTED_IN_FIGURES) as Array<{ detail: string }>;
  return rows.map((r) => r.detail).join('\n');
}

function statsOf(index: string): string | undefined {
  return (
    sqliteOf(ctx.database).prepare('select stat from sqlite_stat1 where idx = ?').get(index) as
      { stat: string } | undefined
  )?.stat;
}

test('the statistics the migrations left say nothing true about the scorecards, and mislead the planner', async () => {
  expect(statsOf('evaluations_call_idx')).toBeUndefined();
  expect(await latestScoresPlan()).toMatch(/USING INDEX evaluations_release_due_idx/);
});

test('after the refresh the query looks up the page’s calls by call_id', async () => {
  await refreshPlannerStatistics(ctx.deps.db);
  expect(statsOf('evaluations_call_idx')).toBe('60 1');
  expect(await latestScoresPlan()).toMatch(/USING INDEX evaluations_call_idx \(call_id=\?\)/);
  // Answered as before: one latest scorecard for each call of the page.
  expect((await latestScores(ctx.deps.db, callIds.slice(0, 5))).size).toBe(5);
});
