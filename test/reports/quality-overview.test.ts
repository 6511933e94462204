import type { ReportFilter } from '../../src/reports/filters';
import { csrFigures, scoreSummary, scoreTrend } from '../../src/reports';
import { evaluatorFigures, peopleFigures, scoreOverview } from '../../src/reports/quality';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { insertCalls, tenPointRubric } from '../helpers/reports';

// The quality page reads its trend, summary and distribution in one statement (per bucket and band), and its
// per-CSR and per-evaluator figures in another (per CSR and evaluator pair): each must equal the figure read
// alone, which the other pages, the API and the CSV exports still use. Scores are halves, so the sums are
// exact whatever the order they are added in. On both engines.

let ctx: TestContext;
let org: Org;
const cards: Array<{ score: number | null; status: string; kind: string; submitted: string | null }> = [];

const STATUSES = ['submitted', 'released', 'acknowledged', 'released', 'draft'] as const;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  const rubric = await tenPointRubric(ctx.deps);
  const agents = [org.csrA, org.csrA2, org.csrB, org.otherCsr];
  const evaluators = [org.supervisorA, org.supervisorB, org.manager];
  const n = 240;
  const started = (i: number) => new Date(Date.UTC(2026, 8, 1) + i * 9 * 3_600_000).toISOString();
  const callIds = await insertCalls(
    ctx.deps,
    Array.from({ length: n }, (_, i) => ({ started_at: started(i), agent: agents[i % agents.length] })),
  );
  for (const [i, callId] of callIds.entries()) {
    const agent = agents[i % agents.length]!;
    const score = i % 17 === 0 ? null : ((i * 37) % 201) / 2; // 0 to 100 in halves, some all N/A
    const status = STATUSES[i % STATUSES.length]!;
    const kind = i % 13 === 0 ? 'calibration' : 'standard';
    const submitted = status === 'draft' ? null : new Date(Date.parse(started(i)) + 3_600_000).toISOString();
    cards.push({ score, status, kind, submitted });
    await ctx.deps.db
      .insertInto('evaluations')
      .values({
        call_id: callId,
        rubric_id: rubric.id,
        agent_id: agent.id,
        team_id: agent.team_id,
        evaluator_id: evaluators[(i * 7) % evaluators.length]!.id,
        kind,
        status,
        score,
        raw_score: score,
        passed: score === null ? null : score >= 75 ? 1 : 0,
        critical_failed: i % 23 === 0 ? 1 : 0,
        time_spent_s: (i % 9) * 30 + 5,
        created_at: started(i),
        updated_at: started(i),
        updated_by: org.supervisorA.id,
        submitted_at: submitted,
      })
      .execute();
  }
});
afterAll(async () => ctx.close());

function filter(group: 'week' | 'day', timeZone: string): ReportFilter {
  return {
    from: '2026-09-07T00:00:00.000Z',
    to: '2026-12-01T00:00:00.000Z',
    fromDate: '2026-09-07',
    toDate: '2026-11-30',
    teamIds: 'all',
    group,
    timeZone,
  };
}

const byId = <T extends { id: number }>(rows: T[]) => [...rows].sort((a, b) => a.id - b.id);

test.each([
  ['week', 'UTC'],
  ['day', 'America/New_York'],
] as const)('trend, summary and distribution by %s in %s equal each figure read alone', async (group, zone) => {
  const f = filter(group, zone);
  const overview = await scoreOverview(ctx.deps.db, f, 'staff');
  expect(overview.trend).toEqual(await scoreTrend(ctx.deps.db, f, 'staff'));
  expect(overview.summary).toEqual(await scoreSummary(ctx.deps.db, f, 'staff'));
  expect(overview.summary.n).toBeGreaterThan(50);
  expect(overview.trend.filter((t) => t.n > 0).length).toBeGreaterThan(group === 'week' ? 10 : 40);
  // Ten-point bands, 100 in the last; counted scorecards with a score only.
  const bands = overview.distribution.map((b) => b.value);
  expect(bands.reduce((a, b) => a + b, 0)).toBe(overview.summary.n);
  expect(bands.filter((v) => v > 0).length).toBe(10);
});

test('the distribution counts each band as counted here from the cards written', async () => {
  const f = filter('week', 'UTC');
  const { distribution } = await scoreOverview(ctx.deps.db, f, 'staff');
  const expected = Array.from({ length: 10 }, () => 0);
  for (const c of cards) {
    const counted = ['submitted', 'released', 'acknowledged'].includes(c.status) && c.kind === 'standard';
    if (!counted || c.score === null || !c.submitted || c.submitted < f.from || c.submitted >= f.to) continue;
    expected[Math.min(9, Math.floor(c.score / 10))]! += 1;
  }
  expect(distribution.map((b) => b.label)).toEqual([
    '0–9', '10–19', '20–29', '30–39', '40–49', '50–59', '60–69', '70–79', '80–89', '90–100',
  ]); // prettier-ignore
  expect(distribution.map((b) => b.value)).toEqual(expected);
});

test('per-CSR and per-evaluator figures equal csrFigures and evaluatorFigures', async () => {
  for (const f of [filter('week', 'UTC'), { ...filter('week', 'UTC'), teamIds: [org.teamA] }]) {
    const people = await peopleFigures(ctx.deps.db, f);
    expect(byId(people.csrs)).toEqual(byId(await csrFigures(ctx.deps.db, f, 'staff')));
    expect(people.evaluators).toEqual(await evaluatorFigures(ctx.deps.db, f));
    expect(people.csrs.length).toBeGreaterThan(0);
    expect(people.evaluators.evaluators.length).toBeGreaterThan(0);
  }
});
