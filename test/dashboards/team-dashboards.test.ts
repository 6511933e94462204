import { MONTH_MIN_SCORECARDS } from '../../src/home/dashboards';
import type { User } from '../../src/db/schema';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, buildUser, type Org } from '../helpers/builders';
import { signIn, type Agent } from '../helpers/http';
import {
  between,
  insertCall,
  submitEvaluation,
  tableAfter,
  tenPointAnswers,
  tenPointRubric,
  textOf,
  type CallFixture,
} from '../helpers/reports';
import { api, tokenFor, type Api } from '../helpers/scoring';

// The supervisor's and manager's home pages on a fixture spanning two months (pass threshold 75):
// - November (scored on the 23rd): csrA 60, csrA2 80 → team A 70.0, 50% passed, 2 scorecards.
// - Then the clock moves to Wednesday 2 December, and team A's calls of 1 December are scored:
//   csrA 90 (wait 10 s, hold 30 s, CSAT 5), csrA 100 (wait 40 s, hold 50 s, CSAT 4), csrA2 70 (wait 20 s,
//   hold 10 s, CSAT 3), plus an abandoned call → team A 86.7, 67% passed, 3 scorecards; service level
//   2 of 4 = 50.0%, hold 90 / 3 = 0:30, CSAT 4.00; open coaching: the 60 (overdue since 30 November) and the 70.
// - Team B, 1 December: csrB 0 (wait 5 s, hold 20 s, CSAT 2) → 0.0, 0%, service level 100.0%, hold 0:20,
//   CSAT 2.00, 1 open coaching task.
// - The other department: a 100 that nobody here may see.

let ctx: TestContext;
let org: Org;
let rubric: FullRubric;
let supervisorHome: string;
let managerHome: string;
let managerPage: Agent;

async function scored(client: Api, call: CallFixture, score: number): Promise<void> {
  await submitEvaluation(client, await insertCall(ctx.deps, call), rubric, tenPointAnswers(rubric, score));
}

function december(agent: User | null, fields: Partial<CallFixture> = {}): CallFixture {
  return { started_at: '2026-12-01T10:00:00.000Z', agent, ...fields };
}

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  rubric = await tenPointRubric(ctx.deps);
  const supA = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  const supB = api(ctx.app, await tokenFor(ctx.deps, org.supervisorB));
  const other = api(ctx.app, await tokenFor(ctx.deps, org.otherSupervisor));
  const november = (agent: User): CallFixture => ({ started_at: '2026-11-20T10:00:00.000Z', agent });
  await scored(supA, november(org.csrA), 60);
  await scored(supA, november(org.csrA2), 80);
  ctx.clock.advance(9 * 86_400_000);
  await scored(supA, december(org.csrA, { queue_wait_s: 10, hold_s: 30, csat: 5 }), 90);
  await scored(supA, december(org.csrA, { queue_wait_s: 40, hold_s: 50, csat: 4 }), 100);
  await scored(supA, december(org.csrA2, { queue_wait_s: 20, hold_s: 10, csat: 3 }), 70);
  await insertCall(ctx.deps, december(null, { team_id: org.teamA, abandoned: true, queue_wait_s: 60 }));
  await scored(supB, december(org.csrB, { queue_wait_s: 5, hold_s: 20, csat: 2 }), 0);
  await scored(other, december(org.otherCsr, { queue_wait_s: 500, hold_s: 500, csat: 1 }), 100);

  const supervisor = await signIn(ctx.app, org.supervisorA.username);
  const supRes = await supervisor.get('/');
  expect(supRes.status).toBe(200);
  supervisorHome = supRes.text;
  managerPage = await signIn(ctx.app, org.manager.username);
  const managerRes = await managerPage.get('/');
  expect(managerRes.status).toBe(200);
  managerHome = managerRes.text;
});
afterAll(async () => ctx.close());

describe('supervisor home', () => {
  test('shows this month against last month: average, pass rate and scorecards of their teams', () => {
    const figures = textOf(between(supervisorHome, 'id="quality-heading">', '<h3>'));
    expect(figures).toBe(
      'Your teams this month (2026-12-01 to 2026-12-02) 86.7 average score, 95% interval 48.7–100.0 ▲ 16.7 (last month 70.0) 67% passed (last month 50%) 3 scorecards (last month 2)',
    );
  });

  test('the month figures are the quality report’s for the same months', async () => {
    const client = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
    const december = await client.get('/api/v1/reports/scores?from=2026-12-01&to=2026-12-31');
    const november = await client.get('/api/v1/reports/scores?from=2026-11-01&to=2026-11-30');
    expect([december.body.count, december.body.average.toFixed(1), december.body.pass_rate]).toEqual([
      3,
      '86.7',
      2 / 3,
    ]);
    expect([november.body.count, november.body.average.toFixed(1), november.body.pass_rate]).toEqual([2, '70.0', 0.5]);
  });

  test('"who needs help most" lists their CSRs who failed in the last 90 days, lowest average first', () => {
    const rows = tableAfter(supervisorHome, 'Who needs help most');
    // csrA2: 80, 70 → 75.0 (±63.5), 50%; csrA: 60, 90, 100 → 83.3 (±51.7), 67%. csrB is team B's.
    expect(rows).toEqual([
      ['CSR', 'Average', 'Scorecards', 'Passed', 'Critical fails'],
      [org.csrA2.display_name, '75.0 ±63.5', '2', '50%', '0'],
      [org.csrA.display_name, '83.3 ±51.7', '3', '67%', '0'],
    ]);
    expect(supervisorHome).toContain(`href="/reports/csr/${org.csrA2.id}"`);
  });

  test('a month with fewer scorecards than the minimum says so instead of an average, and last month shows a dash', async () => {
    const supB = await signIn(ctx.app, org.supervisorB.username);
    const figures = textOf(between((await supB.get('/')).text, 'id="quality-heading">', '<h3>'));
    // Team B: no scorecard in November, one 0 in December: never "average 0.0 / 0% passed" from one scorecard.
    expect(figures).toBe(
      `Your teams this month (2026-12-01 to 2026-12-02) Too few scorecards yet: 1 this month, averages show from ${MONTH_MIN_SCORECARDS}. Last month: average —, — passed, 0 scorecards.`,
    );
    expect(MONTH_MIN_SCORECARDS).toBeGreaterThan(1);
  });
});

describe('manager home', () => {
  test('has one row per team of their departments with this month’s figures', () => {
    const rows = tableAfter(managerHome, 'Teams this month');
    expect(rows[0]).toEqual([
      'Team',
      'Avg score',
      'Passed',
      'Scorecards',
      'Service level',
      'Avg hold',
      'CSAT',
      'Open coaching',
      'Sampled, done of planned',
    ]);
    expect(rows.slice(1).map((r) => [r[0], ...r.slice(2)])).toEqual([
      ['Team A', '67%', '3', '50.0%', '0:30', '4.00', '2 (1 overdue)', 'no plan'],
      ['Team B', '0%', '1', '100.0%', '0:20', '2.00', '1', 'no plan'],
    ]);
    expect(rows[1][1]).toMatch(/^86\.7 ±\d+\.\d$/);
    expect(rows[2][1]).toBe('0.0');
  });

  test.each([
    ['Team A', 'teamA'],
    ['Team B', 'teamB'],
  ] as const)('%s: the row’s figures equal the reports for the same month', async (name, key) => {
    const row = tableAfter(managerHome, 'Teams this month').find((r) => r[0] === name)!;
    const month = `from=2026-12-01&to=2026-12-31&team_id=${org[key]}`;
    const quality = textOf(between((await managerPage.get(`/reports/quality?${month}`)).text, 'aria-label="Totals">'));
    const [mean, margin] = row[1].split(' ');
    expect(quality).toContain(
      `${mean} average score${margin ? ` (${margin})` : ''} ${row[3]} scorecards ${row[2]} passed`,
    );
    const service = tableAfter((await managerPage.get(`/reports/service-level?${month}`)).text, 'Data table');
    const total = service[service.length - 1];
    expect(total[0]).toBe('Total');
    expect([total[4], total[7]]).toEqual([row[4], row[5]]);
    const customers = tableAfter((await managerPage.get(`/reports/customers?${month}`)).text, 'CSAT per team');
    expect(customers.find((r) => r[0] === name)?.[1]).toBe(row[6]);
  });

  test('a manager without a department sees no team and no figures', async () => {
    const newcomer = await buildUser(ctx.deps, 'manager');
    const html = (await (await signIn(ctx.app, newcomer.username)).get('/')).text;
    expect(textOf(between(html, 'id="teams-heading">', '</section>'))).toBe('Teams this month No teams yet.');
  });

  test('another department’s team is not in the table', () => {
    const rows = tableAfter(managerHome, 'Teams this month');
    expect(rows.map((r) => r[0])).not.toContain('Other');
  });
});
