import { saveSettings } from '../../src/settings/settings.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn, type Agent } from '../helpers/http';
import { between, handCountedCalls, insertCall, insertCalls, tableAfter, textOf } from '../helpers/reports';
import { api, tokenFor, type Api } from '../helpers/scoring';

// Service level and hold time (DOMAIN.md) on calls counted by hand: see handCountedCalls for the fixture.
// Service level = inbound answered within T s ÷ inbound offered (answered + abandoned); average hold =
// hold seconds ÷ answered calls; a period without calls has no figure.

let ctx: TestContext;
let org: Org;
let sup: Api;
let supPage: Agent;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  await insertCalls(ctx.deps, handCountedCalls(org.csrA, org.csrA2, org.teamA));
  sup = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  supPage = await signIn(ctx.app, org.supervisorA.username);
});
afterAll(async () => ctx.close());

async function serviceLevelApi(query: string) {
  const res = await sup.get(`/api/v1/reports/service-level?${query}`);
  expect(res.status).toBe(200);
  return res.body;
}

describe('GET /api/v1/reports/service-level', () => {
  test('answers {offered, answered_within, abandoned, service_level, target, avg_hold_s} for the period', async () => {
    const body = await serviceLevelApi('from=2026-11-02&to=2026-11-09');
    expect(body).toMatchObject({
      from: '2026-11-02',
      to: '2026-11-09',
      threshold_s: 30,
      offered: 11,
      answered_within: 5,
      abandoned: 3,
      target: 0.85,
    });
    expect(body.service_level).toBeCloseTo(5 / 11, 10);
    expect(body.abandon_rate).toBeCloseTo(3 / 11, 10);
    expect(body.avg_hold_s).toBeCloseTo(165 / 8, 10);
    for (const key of ['offered', 'answered_within', 'abandoned', 'service_level', 'target', 'avg_hold_s']) {
      expect(typeof body[key]).toBe('number');
    }
  });

  test('an abandoned call counts as offered and never as answered in time, however short its wait', async () => {
    // Monday 2: six offered; the call abandoned after 5 s is not in time, nor is its 90 s of hold counted.
    const body = await serviceLevelApi('from=2026-11-02&to=2026-11-02');
    expect(body.offered).toBe(6);
    expect(body.abandoned).toBe(2);
    expect(body.answered_within).toBe(2);
    expect(body.service_level).toBeCloseTo(2 / 6, 10);
  });

  test('a wait of exactly 30 s is answered in time; 30.5 s is not', async () => {
    const at30 = await serviceLevelApi('from=2026-11-02&to=2026-11-02&threshold_s=30');
    const at31 = await serviceLevelApi('from=2026-11-02&to=2026-11-02&threshold_s=31');
    const at29 = await serviceLevelApi('from=2026-11-02&to=2026-11-02&threshold_s=29');
    // Waits 10, 30, 30.5, 45 (answered): ≤29 → 1, ≤30 → 2, ≤31 → 3.
    expect(at29.answered_within).toBe(1);
    expect(at30.answered_within).toBe(2);
    expect(at31.answered_within).toBe(3);
  });

  test('average hold is hold seconds over answered calls: abandoned calls are left out of both', async () => {
    const body = await serviceLevelApi('from=2026-11-02&to=2026-11-02');
    // (20 + 40 + 0 + 60) / 4 answered; the abandoned call's 90 s is not counted.
    expect(body.avg_hold_s).toBe(30);
    expect(body.avg_queue_wait_s).toBeCloseTo(115.5 / 4, 10);
  });

  test('threshold_s changes what counts as in time for the whole period', async () => {
    const at45 = await serviceLevelApi('from=2026-11-02&to=2026-11-09&threshold_s=45');
    expect(at45.threshold_s).toBe(45);
    expect(at45.answered_within).toBe(8);
    expect(at45.service_level).toBeCloseTo(8 / 11, 10);
    expect(at45.offered).toBe(11);
  });

  test.each([['0'], ['30.5'], ['abc'], ['3601']])('threshold_s=%s is refused with 422', async (value) => {
    const res = await sup.get(`/api/v1/reports/service-level?from=2026-11-02&to=2026-11-09&threshold_s=${value}`);
    expect(res.status).toBe(422);
  });

  test.each([['2026-13-01'], ['2026-02-30']])('a date not on the calendar (to=%s) is refused with 422', async (to) => {
    const res = await sup.get(`/api/v1/reports/service-level?from=2026-01-01&to=${to}`);
    expect(res.status).toBe(422);
  });

  test('a period without calls has no service level, abandon rate or hold (null, never 0)', async () => {
    const body = await serviceLevelApi('from=2026-11-04&to=2026-11-07');
    expect(body).toMatchObject({
      offered: 0,
      answered_within: 0,
      abandoned: 0,
      service_level: null,
      abandon_rate: null,
      avg_hold_s: null,
      avg_queue_wait_s: null,
    });
    expect(body.periods.every((p: { service_level: unknown }) => p.service_level === null)).toBe(true);
  });

  test('a day whose only call missed the threshold is 0%, not "no figure"', async () => {
    const body = await serviceLevelApi('from=2026-11-08&to=2026-11-08');
    expect(body.offered).toBe(1);
    expect(body.service_level).toBe(0);
    expect(body.avg_hold_s).toBe(10);
  });

  test('per day: one period per calendar day, empty days included as null', async () => {
    const body = await serviceLevelApi('from=2026-11-02&to=2026-11-09&group=day');
    const periods = body.periods as Array<{ bucket: string; offered: number; service_level: number | null }>;
    expect(periods.map((p) => p.bucket)).toEqual([
      '2026-11-02',
      '2026-11-03',
      '2026-11-04',
      '2026-11-05',
      '2026-11-06',
      '2026-11-07',
      '2026-11-08',
      '2026-11-09',
    ]);
    expect(periods.map((p) => p.offered)).toEqual([6, 2, 0, 0, 0, 0, 1, 2]);
    expect(periods.map((p) => p.service_level)).toEqual([2 / 6, 1, null, null, null, null, 0, 0.5]);
  });

  test('per week: weeks start on Monday, so Sunday 23:59:59 and Monday 00:00:00 fall in different weeks', async () => {
    const body = await serviceLevelApi('from=2026-11-02&to=2026-11-15&group=week');
    const [first, second] = body.periods;
    expect(body.periods).toHaveLength(2);
    expect(first).toMatchObject({ bucket: '2026-11-02', offered: 9, answered_within: 4, abandoned: 2, answered: 7 });
    expect(first.service_level).toBeCloseTo(4 / 9, 10);
    expect(first.avg_hold_s).toBeCloseTo(160 / 7, 10);
    expect(second).toMatchObject({ bucket: '2026-11-09', offered: 2, answered_within: 1, abandoned: 1, answered: 1 });
    expect(second.avg_hold_s).toBe(5);
  });

  test('a period starting mid-week labels the week by its Monday but counts only the days asked for', async () => {
    const body = await serviceLevelApi('from=2026-11-04&to=2026-11-10&group=week');
    expect(body.periods.map((p: { bucket: string; offered: number }) => [p.bucket, p.offered])).toEqual([
      ['2026-11-02', 1],
      ['2026-11-09', 2],
    ]);
    expect(body.offered).toBe(3);
  });

  test('without dates, the period is the 30 days up to today (23 November)', async () => {
    const body = await serviceLevelApi('');
    expect([body.from, body.to]).toEqual(['2026-10-25', '2026-11-23']);
    expect(body.offered).toBe(11);
  });

  test('per CSR: agent narrows to the calls that CSR answered', async () => {
    const body = await serviceLevelApi(`from=2026-11-02&to=2026-11-09&agent=${org.csrA.username}`);
    // csrA's waits 10, 30, 45, 0, 31, 25 (holds 20, 40, 60, 0, 10, 5).
    expect(body).toMatchObject({ offered: 6, answered_within: 4, abandoned: 0 });
    expect(body.avg_hold_s).toBe(22.5);
  });
});

describe('outbound calls', () => {
  beforeAll(async () => {
    await insertCall(ctx.deps, {
      started_at: '2026-10-14T10:00:00.000Z',
      agent: org.csrA,
      queue_wait_s: 10,
      hold_s: 30,
    });
    await insertCall(ctx.deps, {
      started_at: '2026-10-14T11:00:00.000Z',
      agent: org.csrA,
      direction: 'outbound',
      queue_wait_s: 0,
      hold_s: 300,
    });
  });

  test('an outbound call is neither offered nor answered in time', async () => {
    const body = await serviceLevelApi('from=2026-10-14&to=2026-10-14');
    expect(body.offered).toBe(1);
    expect(body.answered_within).toBe(1);
    expect(body.service_level).toBe(1);
  });

  test('an outbound call is not an answered call: answered = offered - abandoned', async () => {
    const body = await serviceLevelApi('from=2026-10-14&to=2026-10-14');
    expect(body.periods[0].answered).toBe(body.offered - body.abandoned);
  });

  test("an outbound call's hold does not count in the average hold per answered call", async () => {
    const body = await serviceLevelApi('from=2026-10-14&to=2026-10-14');
    expect(body.avg_hold_s).toBe(30);
  });
});

describe('the service level page', () => {
  test('shows each day with its figures, an empty day as "no calls", and the total', async () => {
    const res = await supPage.get('/reports/service-level?from=2026-11-02&to=2026-11-04&group=day');
    expect(res.status).toBe(200);
    const rows = tableAfter(res.text, 'Data table');
    expect(rows[0][0]).toBe('Day');
    expect(rows.slice(1)).toEqual([
      ['2026-11-02', '6', '2', '2', '33.3%', '33.3%', '0:29', '0:30'],
      ['2026-11-03', '2', '2', '0', '100.0%', '0.0%', '0:10', '0:15'],
      ['2026-11-04', '0', '0', '0', 'no calls', '—', '—', '—'],
      ['Total', '8', '4', '2', '50.0%', '25.0%', '0:23', '0:25'],
    ]);
  });

  test('per week, with Sunday in the week of the Monday before', async () => {
    const res = await supPage.get('/reports/service-level?from=2026-11-02&to=2026-11-15&group=week');
    const rows = tableAfter(res.text, 'Data table');
    expect(rows[0][0]).toBe('Week of');
    expect(rows.slice(1)).toEqual([
      ['2026-11-02', '9', '4', '2', '44.4%', '22.2%', '0:24', '0:23'],
      ['2026-11-09', '2', '1', '1', '50.0%', '50.0%', '0:25', '0:05'],
      ['Total', '11', '5', '3', '45.5%', '27.3%', '0:24', '0:21'],
    ]);
  });

  test('a period without calls says "no calls" and never 0%', async () => {
    const res = await supPage.get('/reports/service-level?from=2026-11-04&to=2026-11-07&group=day');
    expect(res.status).toBe(200);
    const totals = textOf(between(res.text, 'aria-label="Totals for the period">', '</section>'));
    expect(totals).toMatch(/^no calls answered within 30 s \(target 85%\) 0 inbound calls offered no calls abandoned/);
    expect(res.text).not.toMatch(/>\s*0\.0%\s*</);
    const rows = tableAfter(res.text, 'Data table');
    expect(rows.slice(1).every((r) => r[4] === 'no calls')).toBe(true);
  });

  test('threshold_s from the query is used on the page and kept in the filter form', async () => {
    const res = await supPage.get('/reports/service-level?from=2026-11-02&to=2026-11-02&group=day&threshold_s=45');
    const rows = tableAfter(res.text, 'Data table');
    expect(rows[1].slice(0, 5)).toEqual(['2026-11-02', '6', '4', '2', '66.7%']);
    expect(res.text).toContain('name="threshold_s" value="45"');
    expect(textOf(res.text)).toContain('answered within 45 s');
  });
});

describe('settings', () => {
  test('the default threshold and the target come from the settings', async () => {
    await saveSettings(
      ctx.deps,
      { id: org.admin.id, role: 'admin' },
      { service_level_threshold_s: 45, service_level_target_pct: 90 },
    );
    const body = await serviceLevelApi('from=2026-11-02&to=2026-11-09');
    expect(body.threshold_s).toBe(45);
    expect(body.answered_within).toBe(8);
    expect(body.target).toBe(0.9);
    const page = await supPage.get('/reports/service-level?from=2026-11-02&to=2026-11-09');
    expect(textOf(page.text)).toContain('answered within 45 s (target 90%)');
  });
});
