import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { meanInterval, ratio, t95 } from '../../src/reports/stats';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn } from '../helpers/http';
import { insertCall, submitEvaluation, tableAfter, tenPointAnswers, tenPointRubric, textOf } from '../helpers/reports';
import { api, tokenFor, type Api } from '../helpers/scoring';

// The 95% confidence interval of an average score: t-based, from count, sum and sum of squares, clamped to
// 0..100; no interval from a single scorecard.

function fromScores(scores: number[]) {
  return meanInterval(
    scores.length,
    scores.reduce((a, b) => a + b, 0),
    scores.reduce((a, b) => a + b * b, 0),
  );
}

describe('meanInterval', () => {
  test('scores 70, 80, 90: mean 80, sd 10, margin 4.303 × 10 / √3 ≈ 24.84, high end clamped to 100', () => {
    const interval = fromScores([70, 80, 90]);
    expect(interval.n).toBe(3);
    expect(interval.mean).toBe(80);
    expect(interval.sd).toBeCloseTo(10, 10);
    expect(interval.margin).toBeCloseTo((4.303 * 10) / Math.sqrt(3), 10);
    expect(interval.margin).toBeCloseTo(24.84, 2);
    expect(interval.low).toBeCloseTo(80 - 24.8434, 3);
    expect(interval.high).toBe(100);
  });

  test('the low end is clamped to 0: scores 0, 0, 30 give mean 10 and 0..53.03', () => {
    const interval = fromScores([0, 0, 30]);
    expect(interval.mean).toBe(10);
    expect(interval.sd).toBeCloseTo(Math.sqrt(300), 10);
    expect(interval.margin).toBeCloseTo(43.03, 10);
    expect(interval.low).toBe(0);
    expect(interval.high).toBeCloseTo(53.03, 10);
  });

  test('an interval inside 0..100 is mean ± margin, unclamped', () => {
    const interval = fromScores([40, 50, 60, 50]);
    // sd = √(200/3), margin = 3.182 × sd / √4.
    const margin = (3.182 * Math.sqrt(200 / 3)) / 2;
    expect(interval.margin).toBeCloseTo(margin, 10);
    expect(interval.low).toBeCloseTo(50 - margin, 10);
    expect(interval.high).toBeCloseTo(50 + margin, 10);
  });

  test('two scorecards use t with 1 degree of freedom (12.706)', () => {
    const interval = fromScores([50, 60]);
    // sd = √50, margin = 12.706 × √50 / √2 = 63.53: clamped at 0 below.
    expect(interval.margin).toBeCloseTo(63.53, 10);
    expect(interval.low).toBe(0);
    expect(interval.high).toBe(100);
  });

  test('one scorecard: a mean but no sd, margin or interval', () => {
    expect(fromScores([72.5])).toEqual({ n: 1, mean: 72.5, sd: null, low: null, high: null, margin: null });
  });

  test('no scorecards: no mean at all (null, not 0)', () => {
    expect(meanInterval(0, 0, 0)).toEqual({ n: 0, mean: null, sd: null, low: null, high: null, margin: null });
  });

  test('identical scores give a zero-width interval, never NaN from rounding', () => {
    const interval = fromScores([79.166667, 79.166667, 79.166667]);
    expect(interval.sd).toBe(0);
    expect(interval.margin).toBe(0);
    expect(interval.low).toBeCloseTo(79.166667, 6);
    expect(interval.high).toBeCloseTo(79.166667, 6);
  });
});

describe('t95', () => {
  test.each([
    [1, 12.706],
    [2, 4.303],
    [3, 3.182],
    [4, 2.776],
    [9, 2.262],
    [10, 2.228],
    [20, 2.086],
    [29, 2.045],
    [30, 2.042],
    [40, 2.021],
    [60, 2.0],
    [120, 1.98],
  ])('df %i → %d', (df, value) => {
    expect(t95(df)).toBe(value);
  });

  // Between and beyond the table: Student's t quantiles (0.975) to three decimals.
  test.each([
    [31, 2.04],
    [50, 2.009],
    [121, 1.98],
    [10_000, 1.96],
  ])('df %i ≈ %d', (df, value) => {
    expect(Math.abs(t95(df) - value)).toBeLessThan(0.0015);
  });

  test('shrinks as the degrees of freedom grow', () => {
    const values = Array.from({ length: 200 }, (_, i) => t95(i + 1));
    for (let i = 1; i < values.length; i += 1) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
  });

  test('no degrees of freedom has no value', () => {
    expect(t95(0)).toBeNaN();
  });
});

describe('ratio', () => {
  test('nothing to divide is null (shown as "no calls"), a zero part is 0', () => {
    expect(ratio(0, 0)).toBeNull();
    expect(ratio(0, 4)).toBe(0);
    expect(ratio(3, 4)).toBe(0.75);
  });
});

describe('the interval in the reports', () => {
  let ctx: TestContext;
  let org: Org;
  let sup: Api;
  let rubric: FullRubric;

  beforeAll(async () => {
    ctx = makeTestApp();
    org = await buildOrg(ctx.deps);
    rubric = await tenPointRubric(ctx.deps);
    sup = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
    for (const score of [70, 80, 90]) {
      const callId = await insertCall(ctx.deps, { started_at: '2026-11-20T10:00:00.000Z', agent: org.csrA });
      await submitEvaluation(sup, callId, rubric, tenPointAnswers(rubric, score));
    }
    const single = await insertCall(ctx.deps, { started_at: '2026-11-20T11:00:00.000Z', agent: org.csrA2 });
    await submitEvaluation(sup, single, rubric, tenPointAnswers(rubric, 60));
  });
  afterAll(async () => ctx.close());

  test('GET /api/v1/reports/scores gives the 70/80/90 case its interval 55.16..100', async () => {
    const res = await sup.get(`/api/v1/reports/scores?agent=${org.csrA.username}`);
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(3);
    expect(res.body.average).toBeCloseTo(80, 6);
    expect(res.body.ci95[0]).toBeCloseTo(55.1566, 3);
    expect(res.body.ci95[1]).toBe(100);
  });

  test('a single scorecard has no interval in the API', async () => {
    const res = await sup.get(`/api/v1/reports/scores?agent=${org.csrA2.username}`);
    expect(res.body.count).toBe(1);
    expect(res.body.average).toBe(60);
    expect(res.body.ci95).toBeNull();
    expect(res.body.periods.find((p: { count: number }) => p.count === 1).ci95).toBeNull();
  });

  test('the quality page shows the margin (±24.8) and the CSR interval 55.2–100.0', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const res = await agent.get(`/reports/quality?agent=${org.csrA.username}`);
    expect(res.status).toBe(200);
    expect(textOf(res.text)).toContain('80.0 average score (±24.8)');
    const csrs = tableAfter(res.text, 'CSRs, lowest average first');
    expect(csrs[1]).toEqual([org.csrA.display_name, '3', '80.0', '55.2–100.0', '67%', '0']);
  });

  test('the quality trend says a week with one scorecard has no interval', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const res = await agent.get(`/reports/quality?agent=${org.csrA2.username}&from=2026-11-16&to=2026-11-23`);
    const trend = tableAfter(res.text, 'Score trend');
    expect(trend.slice(1)).toEqual([
      ['2026-11-16', '0', '—', '—', '—'],
      ['2026-11-23', '1', '60.0', 'one scorecard: no interval', '0%'],
    ]);
  });
});
