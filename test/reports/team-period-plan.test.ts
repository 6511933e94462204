import { csrFigures, scoreSummary } from '../../src/reports/quality';
import type { ReportFilter } from '../../src/reports/filters';
import { planOf, statementsDuring } from '../helpers/statements';
import { seededCardsForSuite } from '../evaluations/list-fixture';

// SQLite's plan for a few teams' scorecard figures over a period (the supervisor dashboard, the quality report for
// a supervisor): one range of evaluations_team_submitted_idx per team, answered from the index alone. Through the
// (team, status, submitted_at) index they read every scorecard the teams ever had, with a table lookup each
// (56 ms for two teams' 90 days at 10M calls). The figures themselves are checked by test/reports/quality.test.ts
// and the roll-up parity tests.

const suite = seededCardsForSuite();

function filter(): ReportFilter {
  return {
    from: '2026-10-01T00:00:00.000Z',
    to: '2026-12-01T00:00:00.000Z',
    fromDate: '2026-10-01',
    toDate: '2026-11-30',
    teamIds: [suite.org.teamA, suite.org.teamB],
    group: 'week',
    timeZone: 'UTC',
  };
}

test.each([
  ['the score summary', () => scoreSummary(suite.ctx.deps.db, filter(), 'staff')],
  ['the figures per CSR', () => csrFigures(suite.ctx.deps.db, filter(), 'staff')],
])('%s for two teams reads one covering index range per team', async (_, work) => {
  const ran = await statementsDuring(suite.ctx, work);
  const text = ran.find((s) => s.includes('from "evaluations"'))!;
  expect(text).toBeDefined();
  const plan = planOf(suite.ctx, text)
    .map((p) => p.detail)
    .filter((d) => /^(SEARCH|SCAN) evaluations\b/.test(d));
  expect(plan).toEqual([
    'SEARCH evaluations USING COVERING INDEX evaluations_team_submitted_idx (team_id=? AND submitted_at>? AND submitted_at<?)',
  ]);
});
