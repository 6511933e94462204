import { STRENGTH_MIN_ANSWERS } from '../../src/reports/review';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn, type Agent } from '../helpers/http';
import { between, insertCall, submitEvaluation, textOf } from '../helpers/reports';
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

// The printable CSR review /reports/csr/:id: for the CSR's supervisor, manager and admins only (anyone else
// and any id that is not a CSR: 404), with strengths and weaknesses from the item results of the period.
//
// Fixture (one section of three yes/no items, threshold 75), scored by supervisorA:
//   csrA  call 1 (20 Nov, wait 10 s, hold 30 s, CSAT 5): greeted yes, address no, next steps yes → 66.7
//   csrA  call 2 (20 Nov, wait 40 s, hold 10 s, CSAT 3): greeted yes, address no, next steps no  → 33.3
//   csrA2 call 3: greeted no, address yes, next steps yes (must not show on csrA's review), then
//         STRENGTH_MIN_ANSWERS - 1 more calls with all yes (21-24 Nov)
// csrA: greeted 2 of 2 full marks, address failed 2 of 2, next steps failed 1 of 2.

let ctx: TestContext;
let org: Org;
let rubric: FullRubric;
const pages = new Map<string, Agent>();

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  rubric = await publishedRubric(
    ctx.deps,
    rubricJson([
      section('Call', 1, [yesNo('Greeted the caller'), yesNo('Confirmed the address'), yesNo('Explained next steps')]),
    ]),
  );
  const sup = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  const answers = (greeted: string, address: string, nextSteps: string): AnswerJson[] => [
    { item_id: itemNamed(rubric, 'Greeted the caller').id, value: greeted },
    { item_id: itemNamed(rubric, 'Confirmed the address').id, value: address },
    { item_id: itemNamed(rubric, 'Explained next steps').id, value: nextSteps },
  ];
  const first = await insertCall(ctx.deps, {
    started_at: '2026-11-20T10:00:00.000Z',
    agent: org.csrA,
    queue_wait_s: 10,
    hold_s: 30,
    csat: 5,
  });
  const second = await insertCall(ctx.deps, {
    started_at: '2026-11-20T11:00:00.000Z',
    agent: org.csrA,
    queue_wait_s: 40,
    hold_s: 10,
    csat: 3,
  });
  const other = await insertCall(ctx.deps, { started_at: '2026-11-20T12:00:00.000Z', agent: org.csrA2, csat: 1 });
  await submitEvaluation(sup, first, rubric, answers('yes', 'no', 'yes'));
  await submitEvaluation(sup, second, rubric, answers('yes', 'no', 'no'));
  await submitEvaluation(sup, other, rubric, answers('no', 'yes', 'yes'));
  // csrA2 reaches the strength minimum on "next steps" (and "address"); "greeted" failed once of them.
  for (let i = 1; i < STRENGTH_MIN_ANSWERS; i++) {
    const call = await insertCall(ctx.deps, { started_at: `2026-11-2${i}T12:00:00.000Z`, agent: org.csrA2 });
    await submitEvaluation(sup, call, rubric, answers('yes', 'yes', 'yes'));
  }
  for (const who of [
    'admin',
    'manager',
    'otherManager',
    'supervisorA',
    'supervisorB',
    'otherSupervisor',
    'csrA',
  ] as const) {
    pages.set(who, await signIn(ctx.app, org[who].username));
  }
});
afterAll(async () => ctx.close());

describe('who may open a review', () => {
  const cases: Array<[string, string, number, () => string]> = [
    ['supervisorA', "their team's CSR", 200, () => String(org.csrA.id)],
    ['manager', "their department's CSR", 200, () => String(org.csrA.id)],
    ['admin', 'any CSR', 200, () => String(org.otherCsr.id)],
    ['supervisorB', "another team's CSR", 404, () => String(org.csrA.id)],
    ['otherSupervisor', "another department's CSR", 404, () => String(org.csrA.id)],
    ['otherManager', "another department's CSR", 404, () => String(org.csrA.id)],
    ['supervisorA', 'themselves (not a CSR)', 404, () => String(org.supervisorA.id)],
    ['manager', 'a supervisor they manage (not a CSR)', 404, () => String(org.supervisorA.id)],
    ['admin', 'a manager (not a CSR)', 404, () => String(org.manager.id)],
    ['supervisorA', 'an id nobody has', 404, () => '999999'],
    ['supervisorA', 'an id that is not a number', 404, () => 'abc'],
    ['csrA', 'their own review', 403, () => String(org.csrA.id)],
  ];

  test.each(cases)('%s opening %s → %i', async (who, _label, status, id) => {
    const res = await pages.get(who)!.get(`/reports/csr/${id()}`);
    expect(res.status).toBe(status);
    if (status !== 200) expect(res.text).not.toContain('Performance review');
  });
});

describe('the review', () => {
  let html: string;

  beforeAll(async () => {
    const res = await pages.get('supervisorA')!.get(`/reports/csr/${org.csrA.id}`);
    expect(res.status).toBe(200);
    html = res.text;
  });

  test('is titled with the CSR and can be printed', () => {
    expect(textOf(html)).toContain(`Performance review: ${org.csrA.display_name}`);
    expect(html).toMatch(/<button[^>]*data-print[^>]*>Print<\/button>/);
  });

  test('summarises the CSR’s scorecards and calls only', () => {
    const summary = textOf(between(html, 'aria-label="Summary">', '</section>'));
    expect(summary).toBe(
      '50.0 average score (95%: 0.0–100.0) 2 scorecards 0% passed 2 calls handled 4.00 average CSAT 0:20 average hold',
    );
    expect(textOf(between(html, '<h2>Service</h2>'))).toContain(
      'Calls answered within the threshold: 50.0% of 2 inbound; average hold 0:20.',
    );
  });

  test('calls no item a strength on fewer answers than the minimum, and says which minimum', () => {
    const strengths = textOf(between(html, '<h2>Strengths</h2>', '</section>'));
    expect(strengths).toBe(
      `No item has full marks nine times in ten over at least ${STRENGTH_MIN_ANSWERS} scorecards yet.`,
    );
  });

  test('lists an item given full marks on at least the minimum number of scorecards as a strength', async () => {
    const res = await pages.get('supervisorA')!.get(`/reports/csr/${org.csrA2.id}`);
    const strengths = textOf(between(res.text, '<h2>Strengths</h2>', '</section>'));
    expect(strengths).toContain(`Explained next steps: 100% full marks (${STRENGTH_MIN_ANSWERS})`);
    expect(strengths).toContain(`over at least ${STRENGTH_MIN_ANSWERS} scorecards`);
    expect(strengths).not.toContain('Greeted the caller');
  });

  test('lists failed items under "To work on", most failed first, and not the ones always passed', () => {
    const weaknesses = textOf(between(html, '<h2>To work on</h2>', '</section>'));
    expect(weaknesses).toBe('Confirmed the address: failed 2 of 2 Explained next steps: failed 1 of 2');
  });

  test('does not call an item that was failed on every scorecard a strength', () => {
    const strengths = textOf(between(html, '<h2>Strengths</h2>', '</section>'));
    expect(strengths).not.toContain('Confirmed the address');
  });

  test('lists the coaching that its failed scorecards opened', () => {
    const coaching = textOf(between(html, '<h2>Coaching</h2>', '<h2>Training</h2>'));
    expect(coaching).toContain('Confirmed the address');
    expect(coaching).toContain('open');
  });

  test('a period without scorecards says so in both lists', async () => {
    const res = await pages.get('manager')!.get(`/reports/csr/${org.csrA.id}?from=2026-10-01&to=2026-10-31`);
    expect(res.status).toBe(200);
    expect(textOf(between(res.text, '<h2>Strengths</h2>', '</section>'))).toBe('No scored items yet.');
    expect(textOf(between(res.text, '<h2>To work on</h2>', '</section>'))).toBe('Nothing failed in this period.');
  });
});
