import type { Call, User } from '../../src/db/schema';
import { saveTeam } from '../../src/org/org.service';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { createRubric } from '../../src/rubrics/rubrics.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, buildUser, type Org } from '../helpers/builders';
import { csrfFrom, postForm, signIn } from '../helpers/http';
import { api, makeCall, publishedRubric, tokenFor, workedExampleRubric, type Api } from '../helpers/scoring';
import { answersFor, openSession, scoreIn } from './fixtures';

// Calibration sessions: who opens one and whom they may invite, who sees it (everyone else: 404), scoring
// on the normal form next to a standard draft of the same call, the recording for evaluators from other
// teams, closing, the results page and the drift across sessions.

let ctx: TestContext;
let org: Org;
let supervisorA2: User;
let rubric: FullRubric;
let call: Call;
let managerApi: Api;
let supApi: Api;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  supervisorA2 = await buildUser(ctx.deps, 'supervisor');
  await saveTeam(
    ctx.deps,
    { id: org.admin.id, role: 'admin' },
    { name: 'Team A', department_id: org.departmentId, supervisors: [org.supervisorA.username, supervisorA2.username] },
    org.teamA,
  );
  rubric = await publishedRubric(ctx.deps, workedExampleRubric());
  call = await makeCall(ctx.deps, org.admin, org.csrA, { recording: true });
  managerApi = api(ctx.app, await tokenFor(ctx.deps, org.manager));
  supApi = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
});
afterAll(async () => ctx.close());

/** The manager's usual session: supervisors A and B (another team of the department) with the manager as expert. */
const standardSession = (extra: Record<string, unknown> = {}) =>
  openSession(managerApi, {
    call_id: call.id,
    rubric_id: rubric.id,
    evaluator_ids: [org.supervisorA.id, org.supervisorB.id],
    expert_id: org.manager.id,
    ...extra,
  });

describe('opening a session', () => {
  test('the form offers the calls and staff of the manager’s department, and no one else', async () => {
    const page = await signIn(ctx.app, org.manager.username);
    const res = await page.get(`/calibration/new?call_id=${call.id}`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(new RegExp(`<option value="${call.id}" selected>`));
    for (const user of [org.supervisorA, org.supervisorB, supervisorA2, org.manager]) {
      expect(res.text).toContain(`id="evaluator-${user.id}"`);
    }
    for (const user of [org.otherSupervisor, org.otherManager, org.csrA]) {
      expect(res.text).not.toContain(`id="evaluator-${user.id}"`);
    }
  });

  test('through the form: 303 to the session, participants stored (the expert among them), audited', async () => {
    const page = await signIn(ctx.app, org.manager.username);
    const res = await postForm(
      page,
      '/calibration',
      {
        call_id: String(call.id),
        rubric_id: String(rubric.id),
        evaluator_ids: [String(org.supervisorA.id), String(org.supervisorB.id)],
        expert_id: String(supervisorA2.id),
        blind_until: 'closed',
        title: 'November calibration',
      },
      '/calibration/new',
    );
    expect(res.status).toBe(303);
    const id = Number(/^\/calibration\/(\d+)$/.exec(res.headers.location)![1]);
    const session = await ctx.deps.db
      .selectFrom('calibration_sessions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(session).toMatchObject({
      title: 'November calibration',
      call_id: call.id,
      rubric_id: rubric.id,
      team_id: org.teamA,
      expert_id: supervisorA2.id,
      blind_until: 'closed',
      status: 'open',
      created_by: org.manager.id,
    });
    const people = await ctx.deps.db
      .selectFrom('calibration_participants')
      .select('user_id')
      .where('session_id', '=', id)
      .execute();
    expect(people.map((p) => p.user_id).sort((a, b) => a - b)).toEqual(
      [org.supervisorA.id, org.supervisorB.id, supervisorA2.id].sort((a, b) => a - b),
    );
    const audit = await ctx.deps.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'calibration_session')
      .where('entity_id', '=', id)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['calibration.opened']);
  });

  test('one evaluator, an outsider, or no rubric: 422 with the messages beside the fields and nothing stored', async () => {
    const page = await signIn(ctx.app, org.manager.username);
    const before = (await ctx.deps.db.selectFrom('calibration_sessions').select('id').execute()).length;
    const res = await postForm(
      page,
      '/calibration',
      {
        call_id: String(call.id),
        rubric_id: '',
        evaluator_ids: String(org.supervisorA.id),
        expert_id: String(org.otherSupervisor.id),
      },
      '/calibration/new',
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('Invite at least two evaluators.');
    expect(res.text).toContain('Choose a rubric.');
    expect(res.text).toMatch(new RegExp(`id="evaluator-${org.supervisorA.id}"[^>]*checked`));
    const outsider = await managerApi.post('/api/v1/calibration-sessions', {
      call_id: call.id,
      rubric_id: rubric.id,
      evaluator_ids: [org.supervisorA.id, org.otherSupervisor.id],
      expert_id: org.otherManager.id,
    });
    expect(outsider.status).toBe(422);
    expect(outsider.body.error.details.map((d: { path: string }) => d.path)).toEqual(['evaluator_ids.1', 'expert_id']);
    const draft = await createRubric(ctx.deps, null, workedExampleRubric());
    const unpublished = await managerApi.post('/api/v1/calibration-sessions', {
      call_id: call.id,
      rubric_id: draft.id,
      evaluator_ids: [org.supervisorA.id, org.supervisorB.id],
    });
    expect(unpublished.status).toBe(422);
    expect(unpublished.body.error.details[0].path).toBe('rubric_id');
    expect((await ctx.deps.db.selectFrom('calibration_sessions').select('id').execute()).length).toBe(before);
  });

  test('a call outside your teams is 404, like one that does not exist', async () => {
    const foreign = await makeCall(ctx.deps, org.admin, org.otherCsr);
    const body = { rubric_id: rubric.id, evaluator_ids: [org.supervisorA.id, org.supervisorB.id] };
    const res = await managerApi.post('/api/v1/calibration-sessions', { ...body, call_id: foreign.id });
    const missing = await managerApi.post('/api/v1/calibration-sessions', { ...body, call_id: 99_999_999 });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(missing.body);
  });

  test('a supervisor may open one and invite their co-supervisor and their manager, not another team’s supervisor', async () => {
    const ok = await supApi.post('/api/v1/calibration-sessions', {
      call_id: call.id,
      rubric_id: rubric.id,
      evaluator_ids: [org.supervisorA.id, supervisorA2.id],
      expert_id: org.manager.id,
    });
    expect(ok.status).toBe(201);
    const refused = await supApi.post('/api/v1/calibration-sessions', {
      call_id: call.id,
      rubric_id: rubric.id,
      evaluator_ids: [org.supervisorA.id, org.supervisorB.id],
    });
    expect(refused.status).toBe(422);
  });

  test('a CSR may not open, list or read sessions (403)', async () => {
    const csr = api(ctx.app, await tokenFor(ctx.deps, org.csrA));
    const id = await standardSession();
    expect((await csr.get('/api/v1/calibration-sessions')).status).toBe(403);
    expect((await csr.get(`/api/v1/calibration-sessions/${id}`)).status).toBe(403);
    expect((await csr.post('/api/v1/calibration-sessions', { call_id: call.id })).status).toBe(403);
    const page = await signIn(ctx.app, org.csrA.username);
    for (const path of ['/calibration', '/calibration/new', `/calibration/${id}`, '/calibration/drift']) {
      expect((await page.get(path)).status).toBe(403);
    }
  });
});

describe('who sees a session', () => {
  test.each([
    ['supervisorA', 200],
    ['supervisorB', 200],
    ['manager', 200],
    ['admin', 200],
    ['otherSupervisor', 404],
    ['otherManager', 404],
  ] as const)('%s: page and API %i', async (who, status) => {
    const id = await standardSession();
    const client = api(ctx.app, await tokenFor(ctx.deps, org[who]));
    expect((await client.get(`/api/v1/calibration-sessions/${id}`)).status).toBe(status);
    const page = await signIn(ctx.app, org[who].username);
    expect((await page.get(`/calibration/${id}`)).status).toBe(status);
    const listed = (await client.get('/api/v1/calibration-sessions')).body.items.map((s: { id: number }) => s.id);
    expect(listed.includes(id)).toBe(status === 200);
  });

  test('outsiders get the same 404 for scoring and closing; an in-scope non-evaluator may not score (403)', async () => {
    const id = await standardSession();
    const outsider = await signIn(ctx.app, org.otherSupervisor.username);
    for (const path of [`/calibration/${id}/score`, `/calibration/${id}/close`]) {
      const res = await postForm(outsider, path, {});
      expect(res.status).toBe(404);
      expect(res.text).toBe((await postForm(outsider, path.replace(String(id), '99999999'), {})).text);
    }
    const coSupervisor = await signIn(ctx.app, supervisorA2.username);
    expect((await postForm(coSupervisor, `/calibration/${id}/score`, {})).status).toBe(403);
  });
});

describe('scoring in a session', () => {
  test('an evaluator from another team scores on the normal form and hears the call through their scorecard only', async () => {
    const id = await standardSession();
    const page = await signIn(ctx.app, org.supervisorB.username);
    const started = await postForm(page, `/calibration/${id}/score`, {}, `/calibration/${id}`);
    expect(started.status).toBe(303);
    const evaluationId = Number(/^\/evaluations\/(\d+)\/score$/.exec(started.headers.location)![1]);
    const row = await ctx.deps.db
      .selectFrom('evaluations')
      .selectAll()
      .where('id', '=', evaluationId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      kind: 'calibration',
      status: 'draft',
      evaluator_id: org.supervisorB.id,
      call_id: call.id,
    });
    const form = await page.get(started.headers.location);
    expect(form.status).toBe(200);
    expect(form.text).toContain('Calibration scoring');
    expect(form.text).toContain(`src="/calibration/evaluations/${evaluationId}/recording"`);
    const audio = await page.get(`/calibration/evaluations/${evaluationId}/recording`).set('Range', 'bytes=0-99');
    expect(audio.status).toBe(206);
    expect((await page.get(`/calls/${call.id}/recording`)).status).toBe(404);
    expect((await page.get(`/calls/${call.id}`)).status).toBe(404);
    // Pressing "Score this call" again continues the same scorecard.
    const again = await postForm(page, `/calibration/${id}/score`, {}, `/calibration/${id}`);
    expect(again.headers.location).toBe(started.headers.location);
  });

  test('submitting through the form ends on the session page; the scorecard is not released', async () => {
    const id = await standardSession();
    const page = await signIn(ctx.app, org.supervisorA.username);
    const started = await postForm(page, `/calibration/${id}/score`, {}, `/calibration/${id}`);
    const evaluationId = Number(/\/evaluations\/(\d+)\/score/.exec(started.headers.location)![1]);
    const fields = Object.fromEntries(
      answersFor(rubric, ['yes', 'no', 3, 5]).map((a) => [`a_${a.item_id}`, String(a.value)]),
    );
    const submitted = await postForm(
      page,
      `/evaluations/${evaluationId}/score`,
      { ...fields, op: 'submit' },
      started.headers.location,
    );
    expect(submitted.status).toBe(303);
    expect(submitted.headers.location).toBe(`/evaluations/${evaluationId}`);
    const card = await page.get(`/evaluations/${evaluationId}`);
    expect(card.status).toBe(303);
    expect(card.headers.location).toBe(`/calibration/${id}`);
    const row = await ctx.deps.db
      .selectFrom('evaluations')
      .selectAll()
      .where('id', '=', evaluationId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'submitted', released_at: null, release_due_at: null });
    expect(row.score).toBeCloseTo(79.166667, 5);
  });

  test('a standard draft and a calibration draft of the same call and rubric live side by side, each autosaving', async () => {
    const id = await standardSession();
    const standard = await supApi.post('/api/v1/evaluations', {
      call_id: call.id,
      rubric_id: rubric.id,
      answers: answersFor(rubric, ['yes', 'yes', 4, 5]).slice(0, 1),
      submit: false,
    });
    expect(standard.status).toBe(201);
    const calibrationId = await scoreIn(ctx, org.supervisorA, id, answersFor(rubric, ['no', 'no', 0, 0]).slice(0, 2), {
      draft: true,
    });
    expect(calibrationId).not.toBe(standard.body.id);
    const page = await signIn(ctx.app, org.supervisorA.username);
    const csrf = await csrfFrom(page, '/profile');
    for (const [evaluationId, value] of [
      [standard.body.id as number, 'no'],
      [calibrationId, 'yes'],
    ] as const) {
      const row = await ctx.deps.db
        .selectFrom('evaluations')
        .select('revision')
        .where('id', '=', evaluationId)
        .executeTakeFirstOrThrow();
      const saved = await page
        .put(`/evaluations/${evaluationId}/draft`)
        .set('X-CSRF-Token', csrf)
        .set('Accept', 'application/json')
        .send({
          answers: [{ item_id: answersFor(rubric, ['yes', 'yes', 4, 5])[0].item_id, value }],
          revision: row.revision,
        });
      expect(saved.status).toBe(200);
    }
    const values = await ctx.deps.db
      .selectFrom('evaluation_answers')
      .select(['evaluation_id', 'value'])
      .where('evaluation_id', 'in', [standard.body.id, calibrationId])
      .execute();
    expect(values.filter((v) => v.evaluation_id === standard.body.id).map((v) => v.value)).toEqual(['no']);
    expect(values.filter((v) => v.evaluation_id === calibrationId).map((v) => v.value)).toEqual(['yes']);
    // Starting standard scoring again returns the standard draft, never the calibration one.
    const again = await supApi.post('/api/v1/evaluations', { call_id: call.id, rubric_id: rubric.id, submit: false });
    expect(again.body.id).toBe(standard.body.id);
  });

  test('nobody else may fill in an evaluator’s calibration scorecard, and it is never released or rescored', async () => {
    const id = await standardSession({ blind_until: 'submitted' });
    const evaluationId = await scoreIn(ctx, org.supervisorA, id, answersFor(rubric, ['yes', 'no', 3, 5]));
    const admin = api(ctx.app, await tokenFor(ctx.deps, org.admin));
    expect((await admin.post(`/api/v1/evaluations/${evaluationId}/release`, {})).status).toBe(409);
    const page = await signIn(ctx.app, org.admin.username);
    const rescore = await postForm(page, `/evaluations/${evaluationId}/rescore`, { reason: 'Because', op: 'rescore' });
    expect(rescore.status).toBe(409);
    expect(rescore.text).toContain('Calibration scorecards are compared as given');
    expect((await page.get(`/evaluations/${evaluationId}/rescore`)).status).toBe(303);
    const draftId = await scoreIn(ctx, org.supervisorB, id, [], { draft: true });
    const res = await admin.get(`/api/v1/evaluations/${draftId}`);
    expect(res.status).toBe(404);
  });
});

describe('closing', () => {
  test('unfinished drafts are discarded; nobody can start after; closing twice is refused', async () => {
    const id = await standardSession();
    await scoreIn(ctx, org.supervisorA, id, answersFor(rubric, ['yes', 'no', 3, 5]));
    const draft = await scoreIn(ctx, org.supervisorB, id, [], { draft: true });
    const evaluator = await signIn(ctx.app, org.supervisorB.username);
    expect((await postForm(evaluator, `/calibration/${id}/close`, {})).status).toBe(403);
    const res = await managerApi.post(`/api/v1/calibration-sessions/${id}/close`, {});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'closed', results_visible: true });
    expect(await ctx.deps.db.selectFrom('evaluations').select('id').where('id', '=', draft).execute()).toEqual([]);
    const retry = await postForm(evaluator, `/calibration/${id}/score`, {}, `/calibration/${id}`);
    expect(retry.status).toBe(303);
    expect((await evaluator.get(`/calibration/${id}`)).text).toContain('This session is closed.');
    expect((await managerApi.post(`/api/v1/calibration-sessions/${id}/close`, {})).status).toBe(409);
  });
});

describe('results', () => {
  test('the page shows scores, deviation from the expert, highlighted disagreements and the agreement figure', async () => {
    const id = await standardSession();
    await scoreIn(ctx, org.manager, id, answersFor(rubric, ['yes', 'no', 3, 5]));
    await scoreIn(ctx, org.supervisorA, id, answersFor(rubric, ['yes', 'no', 3, 5]));
    await scoreIn(ctx, org.supervisorB, id, answersFor(rubric, ['yes', 'yes', 4, 5]));
    const page = await signIn(ctx.app, org.manager.username);
    const res = await page.get(`/calibration/${id}`);
    expect(res.text).toContain('Krippendorff');
    // B: (100 × 1 + 100 × 3) / 4 = 100 against the expert's 79.2: +20.8.
    expect(res.text).toContain('+20.8 pts');
    expect(res.text).toContain('±0.0 pts');
    expect(res.text).toContain('<mark>Yes</mark>');
    expect(res.text).toContain('<mark>4 of 4</mark>');
    const json = (await managerApi.get(`/api/v1/calibration-sessions/${id}`)).body;
    expect(json.results.reference).toEqual({ kind: 'expert', score: 79.167 });
    // By hand, each item type at its level (docs/CALIBRATION.md). Yes/No (nominal), units [y,y,y], [n,n,y]:
    // n = 6, n·D_o = 2, n·D_e = 2·4·2 / 5 = 3.2, α = 0.375. Choice: one unit, all alike: n·D_o = n·D_e = 0, α
    // undefined. Scale (interval on value ÷ 4): [.75,.75,1]: n = 3, n·D_o = 2/16, n·D_e = 2·2·1/16 / 2 = 1/8,
    // α = 0. The session: 1 − (2 + 1/8) / (3.2 + 1/8) = 0.3609.
    expect(json.results.alpha).toBe(0.361); // the API rounds to 3 decimals
    expect(json.results.alpha_by_type).toEqual([
      { item_type: 'yes_no', level: 'nominal', alpha: 0.375, pairable: 6, items: 2 },
      { item_type: 'choice', level: 'nominal', alpha: null, pairable: 3, items: 1 },
      { item_type: 'scale', level: 'interval', alpha: 0, pairable: 3, items: 1 },
    ]);
    expect(res.text).toContain('scale items by distance (interval');
    expect(res.text).toContain('N/A is left out');
    expect(res.text).toContain('Scale items (interval): 0.000');
    expect(json.results.alpha_band).toBe('unreliable');
    expect(json.results.items.filter((i: { disagreement: boolean }) => i.disagreement)).toHaveLength(2);
  });

  test('the drift page ranks evaluators by their average distance from the reference over closed sessions', async () => {
    for (const bAccuracy of [3, 2]) {
      const id = await standardSession();
      await scoreIn(ctx, org.manager, id, answersFor(rubric, ['yes', 'no', 3, 5]));
      await scoreIn(ctx, org.supervisorA, id, answersFor(rubric, ['yes', 'no', 3, 5]));
      await scoreIn(ctx, org.supervisorB, id, answersFor(rubric, ['no', 'no', bAccuracy, 5]));
      await managerApi.post(`/api/v1/calibration-sessions/${id}/close`, {});
    }
    const page = await signIn(ctx.app, org.manager.username);
    const res = await page.get('/calibration/drift');
    expect(res.status).toBe(200);
    const rows = res.text.split('<tbody>')[1].split('</tr>');
    expect(rows[0]).toContain(org.supervisorB.display_name);
    // B: 66.7 and 58.3 against the expert's 79.2, so −12.5 and −20.8: 16.7 on average.
    expect(rows[0]).toContain('16.7 pts');
    expect(rows[0]).toContain('−12.5, −20.8');
    expect(rows[1]).toContain(org.supervisorA.display_name);
    expect(rows[1]).toContain('0.0 pts');
    const outsider = await signIn(ctx.app, org.otherManager.username);
    expect((await outsider.get('/calibration/drift')).text).toContain('No closed session with a reference score yet.');
  });
});
