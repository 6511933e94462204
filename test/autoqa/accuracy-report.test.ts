import request from 'supertest';
import type { FullRubric } from '../../src/rubrics';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn } from '../helpers/http';
import { rubricJson, section, yesNo } from '../helpers/scoring';
import { tokenFor } from '../calls/fixtures';
import { Api, GREETING, greeted, itemOf, notGreeted } from './suggest-fixtures';

// Accuracy against people (DOMAIN.md; API.md wave 2 GET /api/v1/reports/auto-qa): per rule, on the calls both a
// person and the rule answered, checked against 2×2 tables worked out by hand; kappa undefined is null ("n/a"),
// never 0; "trusted" from n = 30 and kappa ≥ 0.6; the rubric page and the disagreements list; staff only.

jest.setTimeout(180_000);

let ctx: TestContext;
let org: Org;
let api: Api;
let table: FullRubric; // the hand-computed table
let constant: FullRubric; // the person never fails the item
let trust: FullRubric; // 29, then 30 calls of full agreement
const G = 'Greeted';

interface ItemFigures {
  item_id: number;
  answered: number;
  failed: number;
  fail_rate: number | null;
  agreement: {
    n: number;
    agreed: number;
    kappa: number | null;
    kappa_ci95: number[] | null;
    precision: number | null;
    recall: number | null;
  };
  trusted: boolean;
}

async function report(who: string, rubric: FullRubric, query = '') {
  const res = await api.as(who).get(`/api/v1/reports/auto-qa?rubric_id=${rubric.id}${query}`);
  expect(res.status).toBe(200);
  return res.body as { calls: number; analysed: number; items: ItemFigures[] };
}
const figures = async (who: string, rubric: FullRubric) => {
  const item = (await report(who, rubric)).items.find((i) => i.item_id === itemOf(rubric, G));
  if (!item) throw new Error('item missing from the report');
  return item;
};

/** Scores a call with a one-item rubric, a minute after the previous scorecard (so "newest" is defined). */
async function score(who: string, callId: number, rubric: FullRubric, value: string) {
  ctx.clock.advance(60_000);
  return api.score(who, callId, rubric, { [itemOf(rubric, G)]: value });
}

const notGreetedCalls: number[] = [];
const greetedCalls: number[] = [];

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  api = new Api(ctx, org);
  for (const who of ['admin', 'manager', 'supervisorA', 'supervisorB', 'csrA'] as const) {
    api.tokens[who] = await tokenFor(ctx.app, org[who].username);
  }
  const oneItem = () => rubricJson([section('Opening', 1, [{ ...yesNo(G), auto: GREETING } as never])]);
  table = await api.published(oneItem());
  constant = await api.published(oneItem());
  trust = await api.published(oneItem());
  for (let i = 0; i < 15; i += 1) notGreetedCalls.push(await api.call(notGreeted));
  for (let i = 0; i < 15; i += 1) greetedCalls.push(await api.call(greeted));
});
afterAll(async () => ctx.close());

const call = (list: number[], i: number) => list[i] ?? 0;

describe('accuracy against people, through GET /api/v1/reports/auto-qa', () => {
  test('no scorecards yet: n = 0 and every figure n/a (null), not trusted', async () => {
    expect((await figures('admin', table)).agreement).toEqual({
      n: 0,
      agreed: 0,
      kappa: null,
      kappa_ci95: null,
      precision: null,
      recall: null,
    });
  });

  test('a hand-computed table: both fail 3, rule only 1, person only 2, neither 4', async () => {
    // The rule fails the 4 calls without the greeting. People: no, no, no, yes on those; no, no and four yes on
    // the greeted ones, the last after a first scorecard said "no" (the newest scorecard of a call counts).
    for (const [i, v] of ['no', 'no', 'no', 'yes'].entries())
      await score('supervisorA', call(notGreetedCalls, i), table, v);
    await score('supervisorA', call(greetedCalls, 5), table, 'no');
    for (const [i, v] of ['no', 'no', 'yes', 'yes', 'yes', 'yes'].entries()) {
      await score(i === 5 ? 'manager' : 'supervisorA', call(greetedCalls, i), table, v);
    }
    const f = await figures('manager', table);
    // agreement (3 + 4) / 10; precision 3 / (3 + 1); recall 3 / (3 + 2);
    // po = 0.7, pe = 0.4 × 0.5 + 0.6 × 0.5 = 0.5, kappa = (0.7 − 0.5) / (1 − 0.5) = 0.4.
    expect(f.agreement).toMatchObject({ n: 10, agreed: 7 });
    expect(f.agreement.precision).toBeCloseTo(0.75, 10);
    expect(f.agreement.recall).toBeCloseTo(0.6, 10);
    expect(f.agreement.kappa).toBeCloseTo(0.4, 10);
    const [low, high] = f.agreement.kappa_ci95 ?? [];
    expect(low).toBeLessThan(0.4);
    expect(high).toBeGreaterThan(0.4);
    expect(f.trusted).toBe(false);
  });

  test('kappa is n/a (null), never 0, when the person never fails the item', async () => {
    for (const id of [
      call(notGreetedCalls, 0),
      call(notGreetedCalls, 1),
      call(greetedCalls, 0),
      call(greetedCalls, 1),
    ]) {
      await score('supervisorA', id, constant, 'yes');
    }
    const f = await figures('admin', constant);
    expect(f.agreement).toEqual({ n: 4, agreed: 2, kappa: null, kappa_ci95: null, precision: 0, recall: null });
    const page = await (await signIn(ctx.app, org.supervisorA.username)).get(`/rubrics/${constant.id}`);
    expect(page.text).toMatch(/<td data-kappa>n\/a<\/td>/);
    expect(page.text).toMatch(/<td data-recall>n\/a<\/td>/);
  });

  test('trusted only from 30 calls with kappa ≥ 0.6: 29 agreeing calls are not enough, 30 are', async () => {
    const all = [...notGreetedCalls, ...greetedCalls];
    for (const [i, id] of all.entries()) {
      if (i === 29) break;
      await score('supervisorA', id, trust, notGreetedCalls.includes(id) ? 'no' : 'yes');
    }
    const before = await figures('admin', trust);
    expect(before.agreement).toMatchObject({ n: 29, agreed: 29, kappa: 1, precision: 1, recall: 1 });
    expect(before.trusted).toBe(false);
    await score('supervisorA', call(greetedCalls, 14), trust, 'yes');
    const after = await figures('admin', trust);
    expect(after.agreement).toMatchObject({ n: 30, kappa: 1 });
    expect(after.trusted).toBe(true);
  });

  test('coverage: answered and failed over the analysed calls of the period only', async () => {
    const body = await report('admin', table);
    // None of these calls has a recording, so none is analysed and the rule answered no analysed call.
    expect(body).toMatchObject({ calls: 30, analysed: 0 });
    expect(body.items[0]).toMatchObject({ answered: 0, failed: 0, fail_rate: null });
  });

  test('scope: a supervisor of another team sees no pairs; bad input is a 422, an unknown rubric a 404', async () => {
    const other = await report('supervisorB', table);
    expect(other.calls).toBe(0);
    expect(other.items[0]?.agreement.n).toBe(0);
    expect((await api.as('admin').get('/api/v1/reports/auto-qa?rubric_id=abc')).status).toBe(422);
    expect((await api.as('admin').get('/api/v1/reports/auto-qa?from=2026-02-30')).status).toBe(422);
    expect((await api.as('admin').get('/api/v1/reports/auto-qa?rubric_id=99999')).status).toBe(404);
    const everyRubric = await api.as('admin').get('/api/v1/reports/auto-qa');
    expect(everyRubric.status).toBe(200);
    expect(everyRubric.body.items.map((i: { rubric_id: number }) => i.rubric_id)).toEqual(
      expect.arrayContaining([table.id, constant.id, trust.id]),
    );
  });
});

describe('the rubric page and the disagreements list', () => {
  test('the rubric page shows each rule with n, agreement, precision, recall, kappa and its status', async () => {
    const page = await (await signIn(ctx.app, org.supervisorA.username)).get(`/rubrics/${table.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Automatic answers against people');
    const row = new RegExp(`data-accuracy-item="${itemOf(table, G)}"[\\s\\S]*?</tr>`).exec(page.text)?.[0] ?? '';
    expect(row).toContain('<td data-n>10</td>');
    expect(row).toMatch(/data-agreement>70\.0%/);
    expect(row).toContain('<td data-precision>75.0%</td>');
    expect(row).toContain('<td data-recall>60.0%</td>');
    expect(row).toMatch(/data-kappa>0\.40 <small>\(-?0\.\d\d to [01]\.\d\d\)/);
    expect(row).toContain('not yet trusted');
    const trusted = await (await signIn(ctx.app, org.supervisorA.username)).get(`/rubrics/${trust.id}`);
    expect(trusted.text).toContain('<span class="badge badge-pass">trusted</span>');
  });

  test('disagreements newest first, each opening the call at the evidence', async () => {
    const agent = await signIn(ctx.app, org.manager.username);
    const page = await agent.get(`/reports/auto-qa/disagreements?rubric_id=${table.id}`);
    expect(page.status).toBe(200);
    const links = [...page.text.matchAll(/<li data-disagreement="\d+-\d+">\s*<a href="([^"]+)">/g)].map((m) => m[1]);
    // Newest first: greeted 1 and 0 (person no, rule yes: evidence at 0.5 s), then not-greeted 3 (person yes).
    expect(links).toEqual([
      `/calls/${call(greetedCalls, 1)}#t=0`,
      `/calls/${call(greetedCalls, 0)}#t=0`,
      `/calls/${call(notGreetedCalls, 3)}`,
    ]);
    expect(page.text).toContain('person <strong>No</strong>, rule <strong>Yes</strong>');
    expect((await agent.get('/reports/auto-qa/disagreements?rubric_id=x')).status).toBe(422);
    expect((await agent.get('/reports/auto-qa/disagreements?rubric_id=99999')).status).toBe(404);
  });
});

describe('silent monitoring: a CSR sees no trace of automatic answers', () => {
  test('the report API and pages are refused as every report is; the CSR scorecard carries nothing of the rules', async () => {
    expect((await api.as('csrA').get(`/api/v1/reports/auto-qa?rubric_id=${table.id}`)).status).toBe(403);
    const csr = await signIn(ctx.app, org.csrA.username);
    expect((await csr.get(`/reports/auto-qa/disagreements?rubric_id=${table.id}`)).status).toBe(403);
    expect((await csr.get(`/rubrics/${table.id}`)).status).toBe(403);
    const mine = await api.as('csrA').get('/api/v1/evaluations');
    expect(mine.status).toBe(200);
    const released = (mine.body.items as Array<{ id: number }>).map((e) => e.id);
    expect(released.length).toBeGreaterThan(0);
    for (const id of released.slice(0, 5)) {
      const json = await api.as('csrA').get(`/api/v1/evaluations/${id}`);
      expect(JSON.stringify(json.body)).not.toMatch(/suggest|auto|rule_value|kappa|evidence/i);
      const html = await csr.get(`/evaluations/${id}`);
      expect(html.status).toBe(200);
      expect(html.text).not.toMatch(/suggest|automatic|disagree|kappa|data-evidence/i);
    }
    expect((await request(ctx.app).get('/api/v1/reports/auto-qa')).status).toBe(401);
  });
});
