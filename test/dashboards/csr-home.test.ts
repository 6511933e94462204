import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn, type Agent } from '../helpers/http';
import {
  between,
  insertCall,
  submitEvaluation,
  tableAfter,
  tenPointAnswers,
  tenPointRubric,
  textOf,
} from '../helpers/reports';
import { api, tokenFor, type Api } from '../helpers/scoring';

// A CSR's home page and scorecard list show only released scorecards: a scorecard submitted on a rubric
// released manually stays out of every figure until a supervisor releases it (silent monitoring).
// csrA: 80 on a rubric released on submit, 20 on a manual one (submitted, not released).
// csrA2: only a 40 on the manual rubric.

let ctx: TestContext;
let org: Org;
let onSubmit: FullRubric;
let manual: FullRubric;
let sup: Api;
let csrA: Agent;
let csrA2: Agent;
let unreleasedId: number;

async function score(rubric: FullRubric, agent: Org['csrA'], value: number) {
  const call = await insertCall(ctx.deps, { started_at: '2026-11-20T10:00:00.000Z', agent, category: 'returns' });
  return submitEvaluation(sup, call, rubric, tenPointAnswers(rubric, value));
}

async function home(agent: Agent): Promise<string> {
  const res = await agent.get('/');
  expect(res.status).toBe(200);
  return res.text;
}

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  onSubmit = await tenPointRubric(ctx.deps, { release_mode: 'on_submit' });
  manual = await tenPointRubric(ctx.deps, { release_mode: 'manual' });
  sup = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  expect((await score(onSubmit, org.csrA, 80)).status).toBe('released');
  const unreleased = await score(manual, org.csrA, 20);
  expect(unreleased.status).toBe('submitted');
  unreleasedId = unreleased.id;
  await score(manual, org.csrA2, 40);
  csrA = await signIn(ctx.app, org.csrA.username);
  csrA2 = await signIn(ctx.app, org.csrA2.username);
});
afterAll(async () => ctx.close());

describe('before release', () => {
  test('staff figures already include the submitted scorecard', async () => {
    const res = await sup.get(`/api/v1/reports/scores?agent=${org.csrA.username}`);
    expect(res.body.count).toBe(2);
    expect(res.body.average).toBe(50);
  });

  test('the CSR’s trend counts only the released scorecard', async () => {
    const rows = tableAfter(await home(csrA), 'Your scores, last 12 weeks');
    expect(rows).toEqual([
      ['Week of', 'Scorecards', 'Average'],
      ['2026-11-23', '1', '80.0'],
    ]);
  });

  test('the CSR’s chart explains its shaded band in words', async () => {
    const note = textOf(between(await home(csrA), 'id="my-trend-band">', '</p>'));
    expect(note).toContain('shaded band');
    expect(note).toContain('A wide band means there are few scorecards yet, not that anything is wrong');
  });

  test('the CSR’s latest scorecards and scorecard list hold only the released one', async () => {
    const latest = textOf(between(await home(csrA), 'id="scorecards-heading"', '</section>'));
    expect(latest).toContain('80.0%');
    expect(latest).not.toContain('20.0%');
    const list = await csrA.get('/scorecards');
    expect(list.status).toBe(200);
    const rows = tableAfter(list.text, 'My scorecards');
    expect(rows.slice(1).map((r) => [r[1], r[2]])).toEqual([[onSubmit.name, '80.0%']]);
    expect(list.text).not.toContain(manual.name);
  });

  test('a CSR with only unreleased scorecards has no trend, no scorecards and no coaching from them', async () => {
    const html = await home(csrA2);
    expect(html).not.toContain('Your scores, last 12 weeks');
    expect(textOf(html)).toContain('No scorecards have been shared with you yet.');
    expect(textOf(html)).toContain('No coaching planned.');
    expect(html).not.toContain('40.0');
    const list = await csrA2.get('/scorecards');
    expect(textOf(list.text)).toContain('No scorecards have been shared with you yet.');
  });
});

describe('after release', () => {
  beforeAll(async () => {
    const res = await sup.post(`/api/v1/evaluations/${unreleasedId}/release`);
    expect(res.status).toBe(200);
  });

  test('the released scorecard joins the CSR’s trend and list', async () => {
    const html = await home(csrA);
    expect(tableAfter(html, 'Your scores, last 12 weeks').slice(1)).toEqual([['2026-11-23', '2', '50.0']]);
    const rows = tableAfter((await csrA.get('/scorecards')).text, 'My scorecards');
    expect(
      rows
        .slice(1)
        .map((r) => r[2])
        .sort(),
    ).toEqual(['20.0%', '80.0%']);
  });

  test('another CSR’s unreleased scorecard still stays hidden from them', async () => {
    expect(await home(csrA2)).not.toContain('Your scores, last 12 weeks');
  });
});
