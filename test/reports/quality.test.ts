import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn, type Agent } from '../helpers/http';
import { between, seedQualityFixture, tableAfter, tableRows, textOf } from '../helpers/reports';
import { api, tokenFor, type Api } from '../helpers/scoring';

// The quality report on the hand-worked fixture of seedQualityFixture, seen by the manager of teams A and B:
// four submitted scorecards (100, 75, 62.5, critical 0), a draft and another department's scorecard that
// never count.

let ctx: TestContext;
let org: Org;
let rubric: FullRubric;
let manager: Api;
let managerPage: Agent;
let html: string;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  manager = api(ctx.app, await tokenFor(ctx.deps, org.manager));
  rubric = await seedQualityFixture(ctx.deps, org, {
    supervisorA: api(ctx.app, await tokenFor(ctx.deps, org.supervisorA)),
    supervisorB: api(ctx.app, await tokenFor(ctx.deps, org.supervisorB)),
    manager,
    otherSupervisor: api(ctx.app, await tokenFor(ctx.deps, org.otherSupervisor)),
  });
  managerPage = await signIn(ctx.app, org.manager.username);
  const res = await managerPage.get('/reports/quality');
  expect(res.status).toBe(200);
  html = res.text;
});
afterAll(async () => ctx.close());

describe('totals', () => {
  test('count, average, pass rate and critical fails over submitted scorecards only', async () => {
    const res = await manager.get('/api/v1/reports/scores');
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(4);
    expect(res.body.average).toBeCloseTo((100 + 75 + 62.5 + 0) / 4, 6);
    expect(res.body.pass_rate).toBe(0.5);
    expect(res.body.critical_fails).toBe(1);
    // sd of 100, 75, 62.5, 0 is 42.54: margin 3.182 × 42.54 / 2 = 67.7.
    const totals = textOf(between(html, 'aria-label="Totals">', '</section>'));
    expect(totals).toBe('59.4 average score (±67.7) 4 scorecards 50% passed 1 critical fails');
  });
});

describe('item failure rates', () => {
  test('failed = answered below full marks, N/A left out, highest rate first', async () => {
    const res = await manager.get('/api/v1/reports/scores');
    expect(res.body.items).toEqual([
      { rubric: rubric.name, item: 'Accuracy', critical: false, answered: 4, failed: 2, failure_rate: 0.5 },
      { rubric: rubric.name, item: 'Greeted the caller', critical: false, answered: 3, failed: 1, failure_rate: 1 / 3 },
      { rubric: rubric.name, item: 'Verified identity', critical: true, answered: 4, failed: 1, failure_rate: 0.25 },
    ]);
  });

  test('the page lists the same items with their counts and rates, critical ones marked', () => {
    const rows = tableAfter(html, 'Where scores are lost');
    expect(rows).toEqual([
      ['Item', 'Rubric', 'Answered', 'Failed', 'Failure rate'],
      ['Accuracy', rubric.name, '4', '2', '50%'],
      ['Greeted the caller', rubric.name, '3', '1', '33%'],
      ['Verified identity critical', rubric.name, '4', '1', '25%'],
    ]);
  });

  test('a CSR filter narrows the items to that CSR: csrA failed only Accuracy, once', async () => {
    const res = await manager.get(`/api/v1/reports/scores?agent=${org.csrA.username}`);
    expect(
      res.body.items.map((i: { item: string; answered: number; failed: number }) => [i.item, i.answered, i.failed]),
    ).toEqual([
      ['Accuracy', 2, 1],
      ['Greeted the caller', 1, 0],
      ['Verified identity', 2, 0],
    ]);
  });
});

describe('score distribution', () => {
  test('ten-point bands with 100 in the top band (90–100)', () => {
    const section = between(html, 'Score distribution', 'CSRs, lowest average first');
    const rows = tableRows(section.slice(section.indexOf('Data table')));
    expect(rows).toEqual([
      ['0–9', '1'],
      ['10–19', '0'],
      ['20–29', '0'],
      ['30–39', '0'],
      ['40–49', '0'],
      ['50–59', '0'],
      ['60–69', '1'],
      ['70–79', '1'],
      ['80–89', '0'],
      ['90–100', '1'],
    ]);
  });
});

describe('evaluators', () => {
  test('scorecards, average time and average score against everyone (59.4)', () => {
    expect(textOf(html)).toContain('against the average of everyone in this view (59.4)');
    const rows = tableAfter(html, '<h2>Evaluators</h2>');
    const expected = [
      [org.manager.display_name, '1', '4:00', '62.5', '+3.1'],
      [org.supervisorA.display_name, '2', '6:40', '87.5', '+28.1'],
      [org.supervisorB.display_name, '1', '10:00', '0.0', '-59.4'],
    ].sort((a, b) => a[0].localeCompare(b[0]));
    expect(rows.slice(1)).toEqual(expected);
  });
});

describe('CSRs', () => {
  test('lowest average first, with count, interval, pass rate and critical fails', () => {
    const rows = tableAfter(html, 'CSRs, lowest average first');
    expect(rows.slice(1)).toEqual([
      [org.csrB.display_name, '1', '0.0', '—', '0%', '1'],
      [org.csrA2.display_name, '1', '62.5', '—', '0%', '0'],
      [org.csrA.display_name, '2', '87.5', '0.0–100.0', '100%', '0'],
    ]);
  });

  test('each CSR links to their printable review', () => {
    expect(html).toMatch(new RegExp(`href="/reports/csr/${org.csrB.id}\\?`));
    expect(html).toMatch(new RegExp(`href="/reports/csr/${org.csrA.id}\\?`));
  });
});

describe('drafts', () => {
  test('a draft never counts, even after time passes', async () => {
    ctx.clock.advance(86_400_000);
    const res = await manager.get('/api/v1/reports/scores');
    expect(res.body.count).toBe(4);
    const greeted = res.body.items.find((i: { item: string }) => i.item === 'Greeted the caller');
    expect(greeted.answered).toBe(3);
  });
});
