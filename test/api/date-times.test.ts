import request from 'supertest';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn } from '../helpers/http';
import { csvRows, insertCall, submitEvaluation, tenPointAnswers, tenPointRubric } from '../helpers/reports';
import { api, tokenFor, type Api } from '../helpers/scoring';

// ../shared/API.md, wave 2: every from/to takes a date (a whole day, `to` inclusive) or an ISO-8601 date-time
// with offset (`to` exclusive). Two calls one hour apart either side of midnight UTC, and the edges around
// them, on every route that filters by date, API and pages.

let ctx: TestContext;
let org: Org;
let admin: Api;
let token: string;
const LATE = 'edge-late-2330'; // 2026-10-01T23:30:00Z
const EARLY = 'edge-early-0030'; // 2026-10-02T00:30:00Z

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  token = await tokenFor(ctx.deps, org.admin);
  admin = api(ctx.app, token);
  const rubric = await tenPointRubric(ctx.deps, { release_mode: 'on_submit' });
  const late = await insertCall(ctx.deps, {
    started_at: '2026-10-01T23:30:00.000Z',
    agent: org.csrA,
    external_id: LATE,
  });
  const early = await insertCall(ctx.deps, {
    started_at: '2026-10-02T00:30:00.000Z',
    agent: org.csrA,
    external_id: EARLY,
  });
  // Both scorecards are submitted at the test clock's 2026-11-23T09:00:00.000Z.
  const scorer = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  const scored = await submitEvaluation(scorer, late, rubric, tenPointAnswers(rubric, 50));
  await submitEvaluation(scorer, early, rubric, tenPointAnswers(rubric, 80));
  // One dispute, opened at 2026-11-23T23:30:00.000Z.
  ctx.clock.advance(14.5 * 3_600_000);
  const csr = api(ctx.app, await tokenFor(ctx.deps, org.csrA));
  const item = (await admin.get(`/api/v1/evaluations/${scored.id}`)).body.answers[0].item_id as number;
  const opened = await csr.post(`/api/v1/evaluations/${scored.id}/disputes`, { item_ids: [item], reason: 'Why?' });
  if (opened.status !== 201) throw new Error(`open: ${opened.status} ${opened.text}`);
});
afterAll(async () => ctx.close());

const get = (path: string) => request(ctx.app).get(path).set('Authorization', `Bearer ${token}`);
const q = (from?: string, to?: string) =>
  new URLSearchParams({ ...(from ? { from } : {}), ...(to ? { to } : {}) }).toString();

// [from, to, which of the two calls the range holds]
const CALL_EDGES: Array<[string | undefined, string | undefined, string[]]> = [
  ['2026-10-01T00:00:00Z', '2026-10-01T23:30:00Z', []],
  ['2026-10-01T00:00:00Z', '2026-10-01T23:30:00.001Z', [LATE]],
  ['2026-10-01T23:30:00Z', '2026-10-02T00:30:00Z', [LATE]],
  ['2026-10-01T23:30:00.001Z', undefined, [EARLY]],
  ['2026-10-02T01:30:00+02:00', '2026-10-02T02:30:01+02:00', [LATE, EARLY]],
  ['2026-10-01T19:30:00-04:00', '2026-10-01T20:30:00-0400', [LATE]],
  ['2026-10-01', '2026-10-01', [LATE]],
  [undefined, '2026-10-01', [LATE]],
  ['2026-10-02', '2026-10-02', [EARLY]],
  ['2026-10-02', '2026-10-02T00:30:00Z', []],
  ['2026-10-01', '2026-10-02T00:30:00.5Z', [LATE, EARLY]],
];

describe('GET /api/v1/calls', () => {
  test.each(CALL_EDGES)('from=%s to=%s holds %j', async (from, to, expected) => {
    const res = await get(`/api/v1/calls?${q(from, to)}`);
    expect(res.status).toBe(200);
    const ids = (res.body.items as Array<{ external_id: string }>).map((c) => c.external_id);
    expect(ids.sort()).toEqual([...expected].sort());
  });
});

describe('GET /api/v1/evaluations (by call date)', () => {
  test.each(CALL_EDGES)('from=%s to=%s holds the scorecards of %j', async (from, to, expected) => {
    const res = await get(`/api/v1/evaluations?${q(from, to)}`);
    expect(res.status).toBe(200);
    const calls = (res.body.items as Array<{ call_id: number }>).length;
    expect(calls).toBe(expected.length);
  });
});

describe('GET /api/v1/reports/service-level (by call time)', () => {
  test.each(CALL_EDGES)('from=%s to=%s offers %j', async (from, to, expected) => {
    const res = await get(`/api/v1/reports/service-level?${q(from ?? '2026-09-01', to)}`);
    expect(res.status).toBe(200);
    expect(res.body.offered).toBe(expected.length);
  });

  test('the answer names the range as it was given', async () => {
    const res = await get(`/api/v1/reports/service-level?${q('2026-10-01T23:30:00Z', '2026-10-02T00:30:00Z')}`);
    expect(res.body).toMatchObject({ from: '2026-10-01T23:30:00Z', to: '2026-10-02T00:30:00Z', offered: 1 });
    const dates = await get(`/api/v1/reports/service-level?${q('2026-10-01', '2026-10-02')}`);
    expect(dates.body).toMatchObject({ from: '2026-10-01', to: '2026-10-02', offered: 2 });
  });
});

describe('GET /api/v1/reports/scores (by submit time, 2026-11-23T09:00:00.000Z)', () => {
  test.each<[string, string, number]>([
    ['2026-11-23T09:00:00Z', '2026-11-24T00:00:00Z', 2],
    ['2026-11-23T09:00:00.001Z', '2026-11-24T00:00:00Z', 0],
    ['2026-11-23T00:00:00Z', '2026-11-23T09:00:00Z', 0],
    ['2026-11-23T00:00:00Z', '2026-11-23T09:00:00.001Z', 2],
    ['2026-11-23T10:00:00+01:00', '2026-11-23T10:00:00.001+01:00', 2],
    ['2026-11-23', '2026-11-23', 2],
    ['2026-11-22', '2026-11-22', 0],
  ])('from=%s to=%s counts %i scorecards', async (from, to, count) => {
    const res = await get(`/api/v1/reports/scores?${q(from, to)}`);
    expect(res.status).toBe(200);
    expect(res.body.count).toBe(count);
  });
});

describe('GET /api/v1/disputes (by opening time, 2026-11-23T23:30:00.000Z)', () => {
  test.each<[string, string, number]>([
    ['2026-11-23T23:30:00Z', '2026-11-24T00:00:00Z', 1],
    ['2026-11-23T00:00:00Z', '2026-11-23T23:30:00Z', 0],
    ['2026-11-24T00:30:00+01:00', '2026-11-24T00:30:00.001+01:00', 1],
    ['2026-11-23', '2026-11-23', 1],
    ['2026-11-24', '2026-11-24', 0],
  ])('from=%s to=%s lists %i', async (from, to, count) => {
    const res = await get(`/api/v1/disputes?${q(from, to)}`);
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(count);
  });
});

describe('refusals', () => {
  const ROUTES = [
    '/api/v1/calls',
    '/api/v1/evaluations',
    '/api/v1/disputes',
    '/api/v1/reports/service-level',
    '/api/v1/reports/scores',
  ];

  test.each(ROUTES)('%s: a date-time without an offset is a 422 saying an offset is needed', async (route) => {
    for (const name of ['from', 'to']) {
      const res = await get(`${route}?${name}=2026-10-01T00:00:00`);
      expect(res.status).toBe(422);
      expect(res.body.error.details).toEqual([
        { path: name, message: expect.stringMatching(/needs a time-zone offset/) },
      ]);
    }
  });

  test.each(ROUTES)('%s: from after to is a 422', async (route) => {
    const res = await get(`${route}?${q('2026-10-02T00:00:00Z', '2026-10-01T23:00:00Z')}`);
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([{ path: 'to', message: '`to` must come after `from`.' }]);
    const dates = await get(`${route}?${q('2026-10-02', '2026-10-01')}`);
    expect(dates.status).toBe(422);
  });
});

describe('pages and CSV exports take date-times too', () => {
  test('the call list page: to is exclusive for a date-time, inclusive for a date', async () => {
    const page = await signIn(ctx.app, org.admin.username);
    const late = 'datetime="2026-10-01T23:30:00.000Z"';
    const early = 'datetime="2026-10-02T00:30:00.000Z"';
    const exclusive = await page.get(`/calls?${q('2026-10-01T00:00:00Z', '2026-10-01T23:30:00Z')}`);
    expect(exclusive.status).toBe(200);
    expect(exclusive.text).not.toContain(late);
    const inclusive = await page.get(`/calls?${q('2026-10-01T00:00:00Z', '2026-10-01')}`);
    expect(inclusive.text).toContain(late);
    expect(inclusive.text).not.toContain(early);
    const noOffset = await page.get(`/calls?${q('2026-10-01T00:00:00')}`);
    expect(noOffset.status).toBe(422);
    expect(noOffset.text).toMatch(/needs a time-zone offset/);
  });

  test('the calls CSV export and its service-level CSV', async () => {
    const page = await signIn(ctx.app, org.manager.username);
    const range = q('2026-10-01T23:30:00Z', '2026-10-02T00:30:00Z');
    const calls = await page.get(`/reports/calls.csv?${range}`);
    expect(calls.status).toBe(200);
    expect(calls.text).toContain(LATE);
    expect(calls.text).not.toContain(EARLY);
    const service = await page.get(`/reports/service-level.csv?${range}&group=day`);
    expect(service.status).toBe(200);
    const total = csvRows(service.text).at(-1);
    expect(total?.slice(0, 2)).toEqual(['total', '1']);
  });

  test('the service-level page keeps the date-time range in its export links', async () => {
    const page = await signIn(ctx.app, org.manager.username);
    const res = await page.get(`/reports/service-level?${q('2026-10-01T23:30:00Z', '2026-10-02T00:30:00Z')}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('from=2026-10-01T23%3A30%3A00Z&amp;to=2026-10-02T00%3A30%3A00Z');
  });

  test('the dispute report page', async () => {
    const page = await signIn(ctx.app, org.manager.username);
    const none = await page.get(`/disputes/report?${q('2026-11-23T00:00:00Z', '2026-11-23T23:30:00Z')}`);
    const one = await page.get(`/disputes/report?${q('2026-11-23T00:00:00Z', '2026-11-23T23:30:00.001Z')}`);
    expect(none.status).toBe(200);
    expect(one.status).toBe(200);
    expect(none.text).not.toBe(one.text);
    expect(one.text).toContain(org.supervisorA.display_name);
    expect(none.text).not.toContain(org.supervisorA.display_name);
  });
});

test('the OpenAPI document describes both forms for every from/to', async () => {
  const doc = (await request(ctx.app).get('/api/openapi.json')).body as {
    paths: Record<string, { get?: { parameters?: Array<{ name: string; schema: { oneOf?: unknown[] } }> } }>;
  };
  const routes = ['/api/v1/calls', '/api/v1/evaluations', '/api/v1/disputes', '/api/v1/reports/service-level'];
  for (const route of [...routes, '/api/v1/reports/scores']) {
    const params = doc.paths[route]?.get?.parameters ?? [];
    for (const name of ['from', 'to']) {
      expect(params.find((p) => p.name === name)?.schema.oneOf).toEqual([
        { type: 'string', format: 'date' },
        { type: 'string', format: 'date-time' },
      ]);
    }
  }
});
