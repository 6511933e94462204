import type { Call } from '../../src/db/schema';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn, type Agent } from '../helpers/http';
import { api, makeCall, publishedRubric, tokenFor, workedExampleRubric, type Api } from '../helpers/scoring';
import { answersFor, openSession, scoreIn } from './fixtures';

// Calibration scoring is practice on a call: it never reaches the CSR, never counts in any CSR figure or list
// (scorecards, the evaluations API, home pages, reports), never makes a coaching task, and leaves the call
// "not yet evaluated".

let ctx: TestContext;
let org: Org;
let rubric: FullRubric;
let call: Call;
let csrApi: Api;
let csrPage: Agent;
let supPage: Agent;
let managerPage: Agent;
let staffApi: Record<'supervisor' | 'manager' | 'admin', Api>;
let before: Record<string, string>;
let calibrationIds: number[];

/** The pages and API answers a CSR figure could show up in, as text. */
async function snapshot(): Promise<Record<string, string>> {
  return {
    'CSR home': (await csrPage.get('/')).text,
    'CSR scorecards': (await csrPage.get('/scorecards')).text,
    'CSR coaching': (await csrPage.get('/coaching')).text,
    'CSR evaluations API': (await csrApi.get('/api/v1/evaluations')).text,
    'CSR coaching API': (await csrApi.get('/api/v1/coaching-tasks')).text,
    'supervisor home': (await supPage.get('/')).text,
    'manager home': (await managerPage.get('/')).text,
    'supervisor scoring queue': (await supPage.get('/evaluations')).text,
    'supervisor evaluations API': (await staffApi.supervisor.get('/api/v1/evaluations')).text,
    'manager evaluations API': (await staffApi.manager.get('/api/v1/evaluations')).text,
    'admin evaluations API': (await staffApi.admin.get('/api/v1/evaluations?limit=500')).text,
    'scores report API': (await staffApi.manager.get(`/api/v1/reports/scores?agent=${org.csrA.username}`)).text,
    'call page': (await supPage.get(`/calls/${call.id}`)).text,
    'call API': (await staffApi.supervisor.get(`/api/v1/calls/${call.id}`)).text,
  };
}

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  rubric = await publishedRubric(ctx.deps, workedExampleRubric({ release_mode: 'on_submit' }));
  call = await makeCall(ctx.deps, org.admin, org.csrA, { recording: true });
  csrApi = api(ctx.app, await tokenFor(ctx.deps, org.csrA));
  csrPage = await signIn(ctx.app, org.csrA.username);
  supPage = await signIn(ctx.app, org.supervisorA.username);
  managerPage = await signIn(ctx.app, org.manager.username);
  staffApi = {
    supervisor: api(ctx.app, await tokenFor(ctx.deps, org.supervisorA)),
    manager: api(ctx.app, await tokenFor(ctx.deps, org.manager)),
    admin: api(ctx.app, await tokenFor(ctx.deps, org.admin)),
  };
  before = await snapshot();

  // Two sessions on csrA's call: one closed with two failing scorecards, one with a draft still open.
  const evaluators = {
    call_id: call.id,
    rubric_id: rubric.id,
    evaluator_ids: [org.supervisorA.id, org.supervisorB.id],
  };
  const closed = await openSession(staffApi.manager, evaluators);
  const failing = answersFor(rubric, ['no', 'no', 0, 0]);
  calibrationIds = [
    await scoreIn(ctx, org.supervisorA, closed, failing),
    await scoreIn(ctx, org.supervisorB, closed, failing),
  ];
  await staffApi.manager.post(`/api/v1/calibration-sessions/${closed}/close`, {});
  const open = await openSession(staffApi.manager, evaluators);
  calibrationIds.push(await scoreIn(ctx, org.supervisorA, open, failing.slice(0, 2), { draft: true }));
});
afterAll(async () => ctx.close());

test('the calibration scorecards exist, failed, and stay submitted (never released)', async () => {
  const rows = await ctx.deps.db
    .selectFrom('evaluations')
    .select(['id', 'kind', 'status', 'passed', 'released_at'])
    .where('id', 'in', calibrationIds)
    .orderBy('id')
    .execute();
  expect(rows.map((r) => [r.kind, r.status, r.released_at])).toEqual([
    ['calibration', 'submitted', null],
    ['calibration', 'submitted', null],
    ['calibration', 'draft', null],
  ]);
  expect(rows.slice(0, 2).map((r) => r.passed)).toEqual([0, 0]);
});

test('no coaching task is made for them, and the call still counts as not evaluated', async () => {
  const tasks = await ctx.deps.db.selectFrom('coaching_tasks').select('id').execute();
  expect(tasks).toEqual([]);
  const row = await ctx.deps.db
    .selectFrom('calls')
    .select('evaluation_count')
    .where('id', '=', call.id)
    .executeTakeFirstOrThrow();
  expect(row.evaluation_count).toBe(0);
  const unscored = await staffApi.supervisor.get('/api/v1/calls?evaluated=false');
  expect(unscored.body.items.map((c: { id: number }) => c.id)).toContain(call.id);
});

test.each([
  'CSR home',
  'CSR scorecards',
  'CSR coaching',
  'CSR evaluations API',
  'CSR coaching API',
  'supervisor home',
  'manager home',
  'supervisor scoring queue',
  'supervisor evaluations API',
  'manager evaluations API',
  'admin evaluations API',
  'scores report API',
  'call page',
  'call API',
])('%s reads exactly as before any calibration', async (name) => {
  const after = await snapshot();
  expect(after[name]).toBe(before[name]);
});

test('the CSR gets the same 404 for each calibration scorecard, its disputes, and the call’s recording', async () => {
  const missing = await csrApi.get('/api/v1/evaluations/99999999');
  for (const id of calibrationIds) {
    const res = await csrApi.get(`/api/v1/evaluations/${id}`);
    expect(res.status).toBe(404);
    expect(res.text).toBe(missing.text);
    expect((await csrPage.get(`/evaluations/${id}`)).status).toBe(404);
    const dispute = await csrApi.post(`/api/v1/evaluations/${id}/disputes`, { item_ids: [1], reason: 'Let me see.' });
    expect(dispute.status).toBe(404);
  }
  expect((await csrApi.get(`/api/v1/calls/${call.id}/recording`)).status).toBe(404);
});

test('filtering the staff list by status never brings them back', async () => {
  for (const status of ['draft', 'submitted']) {
    const res = await staffApi.admin.get(`/api/v1/evaluations?status=${status}&limit=500`);
    expect(res.status).toBe(200);
    const ids = res.body.items.map((e: { id: number }) => e.id);
    for (const id of calibrationIds) expect(ids).not.toContain(id);
  }
});
