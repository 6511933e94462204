import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn, type Agent } from '../helpers/http';
import {
  between,
  csvRows,
  insertCall,
  submitEvaluation,
  tableAfter,
  textOf,
  type CallFixture,
} from '../helpers/reports';
import {
  api,
  itemNamed,
  publishedRubric,
  rubricJson,
  section,
  tokenFor,
  yesNo,
  type AnswerJson,
} from '../helpers/scoring';

// The customer report: CSAT per team and CSR, the CSAT of calls where each rubric item passed vs failed, and
// call reasons per week. Seen by the manager of teams A and B; the fixture is worked out below by hand.
//
// Rubric: "Showed empathy" (yes/no) and "Offered a follow-up" (yes/no, N/A allowed), one section.
//   call  agent  started     category  CSAT  empathy  follow-up  score
//   C1    csrA   Tue 10 Nov  billing   5     yes      yes        100
//   C2    csrA   Tue 10 Nov  billing   4     yes      no          50
//   C3    csrA2  Tue 10 Nov  returns   2     no       no           0
//   C4    csrA2  Tue 17 Nov  returns   1     no       N/A          0
//   C5    csrA   Tue 17 Nov  billing   —     no       yes         50
//   B1    csrB   Tue 17 Nov  billing   4     (not scored)
//   B2    csrB   Tue 17 Nov  —         3     (not scored)
//   O1    other department's CSR, billing, CSAT 5, scored no/no: outside the manager's view
// Empathy: passed (5 + 4) / 2 = 4.50, failed (2 + 1) / 2 = 1.50, gap +3.00 (C5 has no CSAT).
// Follow-up: passed 5.00 (1), failed (4 + 2) / 2 = 3.00 (2), gap +2.00 (C4 is N/A).

let ctx: TestContext;
let org: Org;
let rubric: FullRubric;
let page: Agent;

// Scorecards are submitted on Monday 23 November (the test clock), the calls the two weeks before.
const RANGE = 'from=2026-11-09&to=2026-11-23';

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  rubric = await publishedRubric(
    ctx.deps,
    rubricJson([section('Care', 1, [yesNo('Showed empathy'), yesNo('Offered a follow-up', { allow_na: true })])]),
  );
  const sup = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  const other = api(ctx.app, await tokenFor(ctx.deps, org.otherSupervisor));
  const answers = (empathy: string, followUp: string): AnswerJson[] => [
    { item_id: itemNamed(rubric, 'Showed empathy').id, value: empathy },
    { item_id: itemNamed(rubric, 'Offered a follow-up').id, value: followUp },
  ];
  const scored: Array<[CallFixture, string, string]> = [
    [{ started_at: '2026-11-10T10:00:00.000Z', agent: org.csrA, category: 'billing', csat: 5 }, 'yes', 'yes'],
    [{ started_at: '2026-11-10T11:00:00.000Z', agent: org.csrA, category: 'billing', csat: 4 }, 'yes', 'no'],
    [{ started_at: '2026-11-10T12:00:00.000Z', agent: org.csrA2, category: 'returns', csat: 2 }, 'no', 'no'],
    [{ started_at: '2026-11-17T10:00:00.000Z', agent: org.csrA2, category: 'returns', csat: 1 }, 'no', 'na'],
    [{ started_at: '2026-11-17T11:00:00.000Z', agent: org.csrA, category: 'billing' }, 'no', 'yes'],
  ];
  for (const [call, empathy, followUp] of scored) {
    await submitEvaluation(sup, await insertCall(ctx.deps, call), rubric, answers(empathy, followUp));
  }
  await insertCall(ctx.deps, { started_at: '2026-11-17T12:00:00.000Z', agent: org.csrB, category: 'billing', csat: 4 });
  await insertCall(ctx.deps, { started_at: '2026-11-17T13:00:00.000Z', agent: org.csrB, csat: 3 });
  const outside = await insertCall(ctx.deps, {
    started_at: '2026-11-17T14:00:00.000Z',
    agent: org.otherCsr,
    category: 'billing',
    csat: 5,
  });
  await submitEvaluation(other, outside, rubric, answers('no', 'no'));
  page = await signIn(ctx.app, org.manager.username);
});
afterAll(async () => ctx.close());

async function customersPage(query = RANGE): Promise<string> {
  const res = await page.get(`/reports/customers?${query}`);
  expect(res.status).toBe(200);
  return res.text;
}

describe('CSAT per rubric item', () => {
  test('average CSAT where the item passed vs failed, N/A and calls without CSAT left out, largest gap first', async () => {
    const rows = tableAfter(await customersPage(), 'What customers notice');
    expect(rows).toEqual([
      ['Item', 'CSAT when passed', 'CSAT when failed', 'Gap'],
      [`Showed empathy ${rubric.name}`, '4.50 (2)', '1.50 (2)', '+3.00'],
      [`Offered a follow-up ${rubric.name}`, '5.00 (1)', '3.00 (2)', '+2.00'],
    ]);
  });

  test('the CSV has the same figures', async () => {
    const res = await page.get(`/reports/table/customer-items.csv?${RANGE}`);
    expect(res.status).toBe(200);
    expect(csvRows(res.text)).toEqual([
      ['rubric', 'item', 'csat_when_passed', 'calls_passed', 'csat_when_failed', 'calls_failed', 'gap'],
      [rubric.name, 'Showed empathy', '4.50', '2', '1.50', '2', '3.00'],
      [rubric.name, 'Offered a follow-up', '5.00', '1', '3.00', '2', '2.00'],
    ]);
  });

  test('a CSR filter narrows the items to that CSR’s calls', async () => {
    const rows = tableAfter(await customersPage(`${RANGE}&agent=${org.csrA2.username}`), 'What customers notice');
    // csrA2: C3 (no, no, CSAT 2) and C4 (no, N/A, CSAT 1); neither item has a gap, so their order is open.
    expect(rows.slice(1).sort((a, b) => a[0].localeCompare(b[0]))).toEqual([
      [`Offered a follow-up ${rubric.name}`, '— (0)', '2.00 (1)', '—'],
      [`Showed empathy ${rubric.name}`, '— (0)', '1.50 (2)', '—'],
    ]);
  });
});

describe('CSAT per team and CSR', () => {
  test('per team: Team A (5 + 4 + 2 + 1) / 4 = 3.00, Team B (4 + 3) / 2 = 3.50; the other department not shown', async () => {
    const rows = tableAfter(await customersPage(), 'CSAT per team');
    expect(rows).toEqual([
      ['Team', 'CSAT', 'Calls'],
      ['Team A', '3.00', '4'],
      ['Team B', '3.50', '2'],
    ]);
  });

  test('per CSR, lowest first; a call without CSAT does not count', async () => {
    const rows = tableAfter(await customersPage(), 'CSAT per CSR');
    expect(rows.slice(1)).toEqual([
      [org.csrA2.display_name, '1.50', '2'],
      [org.csrB.display_name, '3.50', '2'],
      [org.csrA.display_name, '4.50', '2'],
    ]);
  });

  test('a period without CSAT says so instead of showing 0', async () => {
    const html = await customersPage('from=2026-10-01&to=2026-10-31');
    const teams = between(html, 'CSAT per team', 'CSAT per CSR');
    expect(textOf(teams)).toContain('No calls with a CSAT in this period.');
    expect(teams).not.toContain('<table');
  });
});

describe('call reasons over time', () => {
  test('calls, scored calls and average score per category per week', async () => {
    const rows = tableAfter(await customersPage(`${RANGE}&group=week`), 'Call reasons over time');
    expect(rows).toEqual([
      ['Week of', 'Category', 'Calls', 'Scored', 'Avg score'],
      ['2026-11-09', 'billing', '2', '2', '75.0'],
      ['2026-11-09', 'returns', '1', '1', '0.0'],
      ['2026-11-16', '(none)', '1', '0', '—'],
      ['2026-11-16', 'billing', '2', '1', '50.0'],
      ['2026-11-16', 'returns', '1', '1', '0.0'],
    ]);
  });

  test('per day, and the CSV matches', async () => {
    const query = 'from=2026-11-10&to=2026-11-10&group=day';
    const rows = tableAfter(await customersPage(query), 'Call reasons over time');
    expect(rows.slice(1)).toEqual([
      ['2026-11-10', 'billing', '2', '2', '75.0'],
      ['2026-11-10', 'returns', '1', '1', '0.0'],
    ]);
    const csv = await page.get(`/reports/table/customer-categories.csv?${query}`);
    expect(csvRows(csv.text)).toEqual([
      ['day', 'category', 'calls', 'evaluations', 'avg_score'],
      ['2026-11-10', 'billing', '2', '2', '75.0'],
      ['2026-11-10', 'returns', '1', '1', '0.0'],
    ]);
  });
});
