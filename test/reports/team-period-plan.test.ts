import { csrFigures, scoreSummary } from '../../src/reports/quality';
import type { ReportFilter } from '../../src/reports/filters';
import { statementsDuring } from '../helpers/statements';
import { makeTestApp, sqliteOf, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { seedCards } from '../evaluations/list-fixture';

// SQLite's plan for a few teams' scorecard figures over a period (the supervisor dashboard, the quality report for
// a supervisor): one range of evaluations_team_submitted_idx per team, answered from the index alone. Through the
// (team, status, submitted_at) index they read every scorecard the teams ever had, with a table lookup each
// (56 ms for two teams' 90 days at 10M calls). The figures themselves are checked by test/reports/quality.test.ts
// and the roll-up parity tests.

let ctx: TestContext;
let org: Org;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  await seedCards(ctx, org);
});
afterAll(async () => ctx.close());

function filter(): ReportFilter {
  return {
    from: '2026-10-01T00:00:00.000Z',
    to: '2026-12-01T00:00:00.000Z',
    fromDate: '2026-10-01',
    toDate: '2026-11-30',
    teamIds: [org.teamA, org.teamB],
    group: 'week',
    timeZone: 'UTC',
  };
}

test.each([
  ['the score summary', () => scoreSummary(ctx.deps.db, filter(), 'staff')],
  ['the figures per CSR', () => csrFigures(ctx.deps.db, filter(), 'staff')],
])('%s for two teams reads one covering index range per team', async (_, work) => {
  const ran = await statementsDuring(ctx, work);
  const text = ran.find((s) => s.includes('from "evaluations"'))!;
  expect(text).toBeDefined();
  const params = (text.match(/\?/g) ?? []).map(() => null);
  const plan = (
    sqliteOf(ctx.database)
      .prepare(`explain query plan ${text}`)
      .all(...params) as Array<{ detail: string }>
  )
    .map((p) => p.detail)
    .filter((d) => /^(SEARCH|SCAN) evaluations\b/.test(d));
  expect(plan).toEqual([
    'SEARCH evaluations USING COVERING INDEX evaluations_team_submitted_idx (team_id=? AND submitted_at>? AND submitted_at<?)',
  ]);
});
