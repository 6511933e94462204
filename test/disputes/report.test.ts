import { disputeReport } from '../../src/disputes/disputes.report';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn } from '../helpers/http';
import { api, publishedRubric, tokenFor, workedExampleRubric, type Api } from '../helpers/scoring';
import { DAY, itemsByName, passingAnswers, scoredCall } from './fixtures';

// The dispute report: per evaluator and per item, upheld vs changed, days to decide, and scoped like
// everything else (supervisors their teams, managers their departments, admins all).

let ctx: TestContext;
let org: Org;
let rubric: FullRubric;

/** Opens a dispute on a new scorecard and, after `days`, decides it (or leaves it open). */
async function disputeOf(
  scorer: Api,
  csr: Api,
  agent: Org['csrA'],
  decider: Api | null,
  outcome: 'upheld' | 'rescored' | 'open',
  days: number,
) {
  const evaluation = await scoredCall(ctx, org, scorer, rubric, { agent });
  const { name, accurate } = itemsByName(rubric);
  const opened = await csr.post(`/api/v1/evaluations/${evaluation.id}/disputes`, {
    item_ids: [name.id, accurate.id],
    reason: 'Please look again.',
  });
  if (opened.status !== 201) throw new Error(`open: ${opened.status} ${opened.text}`);
  ctx.clock.advance(days * DAY);
  if (outcome === 'upheld') {
    const res = await decider!.post(`/api/v1/disputes/${opened.body.id}/uphold`, { reason: 'Stands.' });
    if (res.status !== 200) throw new Error(`uphold: ${res.status} ${res.text}`);
  }
  if (outcome === 'rescored') {
    // Only "name" changes: "accurate" keeps its 3 of 4.
    const answers = passingAnswers(rubric).map((a) => (a.item_id === name.id ? { ...a, value: 'yes' } : a));
    const res = await decider!.post(`/api/v1/disputes/${opened.body.id}/rescore`, { answers, reason: 'Fair.' });
    if (res.status !== 200) throw new Error(`rescore: ${res.status} ${res.text}`);
  }
}

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  rubric = await publishedRubric(ctx.deps, workedExampleRubric());
  const supA = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  const supB = api(ctx.app, await tokenFor(ctx.deps, org.supervisorB));
  const csrA = api(ctx.app, await tokenFor(ctx.deps, org.csrA));
  const csrB = api(ctx.app, await tokenFor(ctx.deps, org.csrB));
  const manager = api(ctx.app, await tokenFor(ctx.deps, org.manager));
  // Team A: supervisorA scores; the department's manager reviews (the evaluator never reviews their own
  // scorecard, and each team has one supervisor). Team B the same with supervisorB.
  await disputeOf(supA, csrA, org.csrA, manager, 'upheld', 2);
  await disputeOf(supA, csrA, org.csrA, manager, 'rescored', 4);
  await disputeOf(supA, csrA, org.csrA, null, 'open', 0);
  await disputeOf(supB, csrB, org.csrB, manager, 'upheld', 1);
});
afterAll(async () => ctx.close());

describe('the figures', () => {
  test('overall: four disputes, one in review, two upheld, one rescored, 7 days over 3 decided', async () => {
    const report = await disputeReport(ctx.deps, { id: org.admin.id, role: 'admin' }, {});
    expect(report.overall).toEqual({
      total: 4,
      open: 1,
      upheld: 2,
      changed: 1,
      changedShare: 1 / 3,
      avgDaysToResolve: 7 / 3,
    });
  });

  test('per evaluator', async () => {
    const report = await disputeReport(ctx.deps, { id: org.admin.id, role: 'admin' }, {});
    expect(report.evaluators).toEqual([
      {
        name: org.supervisorA.display_name,
        total: 3,
        open: 1,
        upheld: 1,
        changed: 1,
        changedShare: 0.5,
        avgDaysToResolve: 3,
      },
      {
        name: org.supervisorB.display_name,
        total: 1,
        open: 0,
        upheld: 1,
        changed: 0,
        changedShare: 0,
        avgDaysToResolve: 1,
      },
    ]);
  });

  test('per item: an item counts as changed only when its points changed', async () => {
    const report = await disputeReport(ctx.deps, { id: org.admin.id, role: 'admin' }, {});
    const byPrompt = Object.fromEntries(report.items.map((i) => [i.prompt, i]));
    expect(byPrompt['Gave their own name']).toMatchObject({
      total: 4,
      open: 1,
      upheld: 2,
      changed: 1,
      changedShare: 1 / 3,
    });
    expect(byPrompt['Gave accurate information']).toMatchObject({
      total: 4,
      open: 1,
      upheld: 3,
      changed: 0,
      changedShare: 0,
    });
    expect(Object.keys(byPrompt)).toHaveLength(2);
  });

  test('opened from/to narrows the disputes counted', async () => {
    const start = Date.parse('2026-11-23T09:00:00Z');
    const day = (n: number) => new Date(start + n * DAY).toISOString().slice(0, 10);
    const report = await disputeReport(ctx.deps, { id: org.admin.id, role: 'admin' }, { from: day(6), to: day(30) });
    expect(report.overall.total).toBe(2);
  });
});

describe('scope', () => {
  test.each([
    ['supervisorA', 3],
    ['supervisorB', 1],
    ['otherSupervisor', 0],
    ['manager', 4],
    ['otherManager', 0],
  ] as const)('%s counts %i disputes', async (who, total) => {
    const user = org[who];
    const report = await disputeReport(ctx.deps, { id: user.id, role: user.role }, {});
    expect(report.overall.total).toBe(total);
  });

  test('the page shows the tables to staff; a CSR is refused', async () => {
    const page = await signIn(ctx.app, org.manager.username);
    const res = await page.get('/disputes/report');
    expect(res.status).toBe(200);
    expect(res.text).toContain(org.supervisorA.display_name);
    expect(res.text).toContain('Gave their own name');
    expect(res.text).toMatch(/<span class="stat-value">33%<\/span><span class="stat-label">rescored/);
    expect(res.text).toMatch(/<span class="stat-value">2\.3<\/span>/);
    const other = await signIn(ctx.app, org.otherSupervisor.username);
    expect((await other.get('/disputes/report')).text).toContain('No disputes in this period.');
    const csrPage = await signIn(ctx.app, org.csrA.username);
    expect((await csrPage.get('/disputes/report')).status).toBe(403);
  });

  test('a bad date in the filter is 422, not a 500', async () => {
    const page = await signIn(ctx.app, org.admin.username);
    expect((await page.get('/disputes/report?from=yesterday')).status).toBe(422);
  });
});
