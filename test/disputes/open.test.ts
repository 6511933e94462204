import type { User } from '../../src/db/schema';
import { saveTeam } from '../../src/org/org.service';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, buildUser, type Org } from '../helpers/builders';
import { postForm, signIn, type Agent } from '../helpers/http';
import {
  api,
  publishedRubric,
  rubricJson,
  section,
  tokenFor,
  workedExampleRubric,
  yesNo,
  itemsOf,
  type Api,
} from '../helpers/scoring';
import { auditActions, DAY, disputeRubric, itemsByName, scoredCall } from './fixtures';

// Opening a dispute: the rubric's rules (on/off, how many, how long), which items may be disputed, who
// reviews it, who may open one, and what the CSR and the reviewer see while it is in review.

let ctx: TestContext;
let org: Org;
let supervisorA2: User;
let rubric: FullRubric;
let sup: Api;
let supB: Api;
let csr: Api;
let csr2: Api;
let adminApi: Api;
let csrPage: Agent;

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
  sup = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  supB = api(ctx.app, await tokenFor(ctx.deps, org.supervisorB));
  csr = api(ctx.app, await tokenFor(ctx.deps, org.csrA));
  csr2 = api(ctx.app, await tokenFor(ctx.deps, org.csrA2));
  adminApi = api(ctx.app, await tokenFor(ctx.deps, org.admin));
});
afterAll(async () => ctx.close());

const dispute = (client: Api, evaluationId: number, body: object) =>
  client.post(`/api/v1/evaluations/${evaluationId}/disputes`, body);

describe('rubric dispute settings', () => {
  test('POST /api/v1/rubrics without them gets the defaults: on, 2 per scorecard, 14 days, the supervisor reviews', async () => {
    const res = await adminApi.post('/api/v1/rubrics', workedExampleRubric());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      disputes_enabled: true,
      dispute_limit: 2,
      dispute_window_days: 14,
      dispute_reviewer: 'supervisor',
    });
  });

  test('they are stored as given, and carried into a new version and a duplicate', async () => {
    const settings = {
      disputes_enabled: false,
      dispute_limit: 3,
      dispute_window_days: 30,
      dispute_reviewer: 'manager',
    };
    const created = await adminApi.post('/api/v1/rubrics', disputeRubric(settings));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject(settings);
    await adminApi.post(`/api/v1/rubrics/${created.body.id}/publish`, {});
    const page = await signIn(ctx.app, org.admin.username);
    const version = await postForm(page, `/rubrics/${created.body.id}/new-version`, {}, `/rubrics/${created.body.id}`);
    const duplicate = await postForm(page, `/rubrics/${created.body.id}/duplicate`, {}, `/rubrics/${created.body.id}`);
    for (const res of [version, duplicate]) {
      const id = Number(/\/rubrics\/(\d+)\/edit/.exec(res.headers.location)![1]);
      expect(id).not.toBe(created.body.id);
      expect((await adminApi.get(`/api/v1/rubrics/${id}`)).body).toMatchObject(settings);
    }
  });

  test.each([
    [{ dispute_limit: 0 }, 'dispute_limit'],
    [{ dispute_limit: 11 }, 'dispute_limit'],
    [{ dispute_window_days: 0 }, 'dispute_window_days'],
    [{ dispute_window_days: 1.5 }, 'dispute_window_days'],
    [{ dispute_reviewer: 'boss' }, 'dispute_reviewer'],
    [{ disputes_enabled: 'maybe' }, 'disputes_enabled'],
  ])('%j is refused with 422 naming %s', async (bad, path) => {
    const res = await adminApi.post('/api/v1/rubrics', { ...workedExampleRubric(), ...bad });
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  test('the builder shows the settings, saves them, and the rubric page states them', async () => {
    const page = await signIn(ctx.app, org.admin.username);
    const blank = await page.get('/rubrics/new');
    expect(blank.text).toMatch(/id="disputes_enabled"[^>]*checked/);
    expect(blank.text).toMatch(/id="dispute_limit"[^>]*value="2"/);
    const res = await postForm(
      page,
      '/rubrics',
      {
        name: 'Builder disputes',
        pass_threshold: '75',
        release_mode: 'on_submit',
        disputes_enabled: 'on',
        dispute_limit: '4',
        dispute_window_days: '7',
        dispute_reviewer: 'manager',
        s0_title: 'Greeting',
        s0_weight: '1',
        s0_i0_prompt: 'Used the greeting',
        s0_i0_type: 'yes_no',
        s0_i0_points: '1',
        op: 'save',
      },
      '/rubrics/new',
    );
    expect(res.status).toBe(303);
    const id = Number(/\/rubrics\/(\d+)\/edit/.exec(res.headers.location)![1]);
    const row = await ctx.deps.db.selectFrom('rubrics').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      disputes_enabled: 1,
      dispute_limit: 4,
      dispute_window_days: 7,
      dispute_reviewer: 'manager',
    });
    expect((await page.get(`/rubrics/${id}/edit`)).text).toMatch(/id="dispute_window_days"[^>]*value="7"/);
    const shown = await page.get(`/rubrics/${id}`);
    expect(shown.text).toContain(
      'dispute up to <strong>4</strong> times per scorecard, within <strong>7 days</strong>',
    );
    expect(shown.text).toContain('the department&#39;s manager');
  });

  test('an unticked box switches disputes off; a bad window is 422 beside its field', async () => {
    const page = await signIn(ctx.app, org.admin.username);
    const res = await postForm(
      page,
      '/rubrics',
      {
        name: 'No disputes',
        pass_threshold: '75',
        release_mode: 'on_submit',
        dispute_limit: '2',
        dispute_window_days: '999',
        dispute_reviewer: 'supervisor',
        s0_title: 'Greeting',
        s0_weight: '1',
        s0_i0_prompt: 'Used the greeting',
        s0_i0_type: 'yes_no',
        s0_i0_points: '1',
        op: 'save',
      },
      '/rubrics/new',
    );
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/id="dispute_window_days"[^>]*aria-invalid="true"/);
    expect(res.text).toContain('The dispute window is at most 365 days.');
    expect(res.text).not.toMatch(/id="disputes_enabled"[^>]*checked/);
  });
});

describe('opening a dispute through the API', () => {
  test('201: in review, the items with their points, assigned to the other supervisor of the team, audited', async () => {
    const evaluation = await scoredCall(ctx, org, sup, rubric);
    const { name, accurate } = itemsByName(rubric);
    const res = await dispute(csr, evaluation.id, { item_ids: [name.id, accurate.id], reason: 'I did give my name.' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      evaluation_id: evaluation.id,
      status: 'open',
      reason: 'I did give my name.',
      assignee_id: supervisorA2.id,
      opened_at: ctx.clock.now().toISOString(),
      score_before: evaluation.score,
    });
    expect(res.body.items.map((i: { item_id: number; points_before: number }) => [i.item_id, i.points_before])).toEqual(
      [
        [name.id, 0],
        [accurate.id, 3],
      ],
    );
    expect(await auditActions(ctx, 'dispute', res.body.id)).toEqual(['dispute.opened']);
  });

  test('an item with full marks is refused with 409 and nothing is stored', async () => {
    const evaluation = await scoredCall(ctx, org, sup, rubric);
    const { name, greet } = itemsByName(rubric);
    const res = await dispute(csr, evaluation.id, { item_ids: [name.id, greet.id], reason: 'Both were wrong.' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('full_marks');
    expect(res.body.error.message).toContain('Used the company greeting');
    const stored = await ctx.deps.db
      .selectFrom('disputes')
      .select('id')
      .where('evaluation_id', '=', evaluation.id)
      .execute();
    expect(stored).toEqual([]);
  });

  test('an N/A item is refused with 409: it counts neither way', async () => {
    const naRubric = await publishedRubric(
      ctx.deps,
      rubricJson([section('Only', 1, [yesNo('Greeted'), yesNo('Offered more help', { allow_na: true })])]),
    );
    const [greeted, more] = itemsOf(naRubric);
    const evaluation = await scoredCall(ctx, org, sup, naRubric, {
      answers: [
        { item_id: greeted.id, value: 'no' },
        { item_id: more.id, value: 'na' },
      ],
    });
    const res = await dispute(csr, evaluation.id, { item_ids: [more.id], reason: 'Should not be N/A.' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('not_scored');
  });

  test('an item of another scorecard (another rubric) is 422 naming it, and nothing is stored', async () => {
    const other = await publishedRubric(ctx.deps, workedExampleRubric());
    const evaluation = await scoredCall(ctx, org, sup, rubric);
    const foreign = itemsByName(other).name.id;
    const res = await dispute(csr, evaluation.id, {
      item_ids: [itemsByName(rubric).name.id, foreign],
      reason: 'Wrong.',
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([
      { path: 'item_ids.1', message: `Item ${foreign} is not part of this scorecard.` },
    ]);
    expect(
      await ctx.deps.db.selectFrom('disputes').select('id').where('evaluation_id', '=', evaluation.id).execute(),
    ).toEqual([]);
  });

  test.each([
    [{ reason: 'No items' }, 'item_ids'],
    [{ item_ids: [], reason: 'Empty list' }, 'item_ids'],
    [{ item_ids: ['x'], reason: 'Not a number' }, 'item_ids.0'],
    [{ item_ids: [1] }, 'reason'],
    [{ item_ids: [1], reason: '  ' }, 'reason'],
  ])('bad input %j is 422 at %s', async (body, path) => {
    const evaluation = await scoredCall(ctx, org, sup, rubric);
    const res = await dispute(csr, evaluation.id, body);
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  test('a second dispute while one is open is 409, and only one is stored', async () => {
    const evaluation = await scoredCall(ctx, org, sup, rubric);
    const { name, accurate } = itemsByName(rubric);
    expect((await dispute(csr, evaluation.id, { item_ids: [name.id], reason: 'First one.' })).status).toBe(201);
    const again = await dispute(csr, evaluation.id, { item_ids: [accurate.id], reason: 'Second one.' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('dispute_open');
    const stored = await ctx.deps.db
      .selectFrom('disputes')
      .select('id')
      .where('evaluation_id', '=', evaluation.id)
      .execute();
    expect(stored).toHaveLength(1);
  });

  test('the limit: after two decided disputes a third is 409', async () => {
    const evaluation = await scoredCall(ctx, org, sup, rubric);
    const { name } = itemsByName(rubric);
    const reviewer = api(ctx.app, await tokenFor(ctx.deps, supervisorA2));
    for (let n = 0; n < 2; n += 1) {
      const opened = await dispute(csr, evaluation.id, { item_ids: [name.id], reason: `Try ${n + 1}.` });
      expect(opened.status).toBe(201);
      expect((await reviewer.post(`/api/v1/disputes/${opened.body.id}/uphold`, { reason: 'Stands.' })).status).toBe(
        200,
      );
    }
    const third = await dispute(csr, evaluation.id, { item_ids: [name.id], reason: 'Try 3.' });
    expect(third.status).toBe(409);
    expect(third.body.error.code).toBe('dispute_limit');
  });

  test('the window: on the last day it is accepted; a day later it is 409', async () => {
    const early = await scoredCall(ctx, org, sup, rubric);
    const late = await scoredCall(ctx, org, sup, rubric);
    const { name } = itemsByName(rubric);
    ctx.clock.advance(14 * DAY);
    expect((await dispute(csr, early.id, { item_ids: [name.id], reason: 'Just in time.' })).status).toBe(201);
    ctx.clock.advance(DAY);
    const res = await dispute(csr, late.id, { item_ids: [name.id], reason: 'Too late.' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('dispute_window_closed');
  });

  test('a rubric with disputes off refuses with 409', async () => {
    const off = await publishedRubric(ctx.deps, disputeRubric({ disputes_enabled: false }));
    const evaluation = await scoredCall(ctx, org, sup, off);
    const res = await dispute(csr, evaluation.id, { item_ids: [itemsByName(off).name.id], reason: 'Wrong.' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('disputes_disabled');
  });
});

describe('who may open one', () => {
  test("another CSR disputing someone else's scorecard gets the same 404 as for no scorecard", async () => {
    const evaluation = await scoredCall(ctx, org, sup, rubric);
    const body = { item_ids: [itemsByName(rubric).name.id], reason: 'Not mine.' };
    const res = await dispute(csr2, evaluation.id, body);
    const missing = await dispute(csr2, 99_999_999, body);
    expect(res.status).toBe(404);
    expect(res.text).toBe(missing.text);
  });

  test('a scorecard not yet released is a 404 for its CSR: disputing reveals nothing', async () => {
    const manual = await publishedRubric(ctx.deps, workedExampleRubric({ release_mode: 'manual' }));
    const evaluation = await scoredCall(ctx, org, sup, manual);
    expect(evaluation.status).toBe('submitted');
    const res = await dispute(csr, evaluation.id, { item_ids: [itemsByName(manual).name.id], reason: 'Early.' });
    expect(res.status).toBe(404);
    expect(res.text).toBe((await dispute(csr, 99_999_999, { item_ids: [1], reason: 'Early.' })).text);
  });

  test('staff may not dispute for the CSR (403); a supervisor of another team gets 404', async () => {
    const evaluation = await scoredCall(ctx, org, sup, rubric);
    const body = { item_ids: [itemsByName(rubric).name.id], reason: 'For them.' };
    expect((await dispute(sup, evaluation.id, body)).status).toBe(403);
    expect((await dispute(supB, evaluation.id, body)).status).toBe(404);
  });

  test("when the evaluator is the team's only supervisor, the department's manager reviews it, not the evaluator", async () => {
    const bScorer = supB;
    const evaluation = await scoredCall(ctx, org, bScorer, rubric, { agent: org.csrB });
    const csrB = api(ctx.app, await tokenFor(ctx.deps, org.csrB));
    const res = await dispute(csrB, evaluation.id, { item_ids: [itemsByName(rubric).name.id], reason: 'Wrong.' });
    expect(res.status).toBe(201);
    expect(res.body.assignee_id).toBe(org.manager.id);
  });

  test("with the manager as reviewer, the department's manager gets it", async () => {
    const byManager = await publishedRubric(ctx.deps, disputeRubric({ dispute_reviewer: 'manager' }));
    const evaluation = await scoredCall(ctx, org, sup, byManager);
    const res = await dispute(csr, evaluation.id, { item_ids: [itemsByName(byManager).name.id], reason: 'Wrong.' });
    expect(res.status).toBe(201);
    expect(res.body.assignee_id).toBe(org.manager.id);
  });
});

describe('the CSR’s pages', () => {
  // Signed in here: the window tests above move the clock past the session's lifetime.
  beforeAll(async () => {
    csrPage = await signIn(ctx.app, org.csrA.username);
  });

  test('the scorecard offers a dispute; the form lists only items that lost points', async () => {
    const evaluation = await scoredCall(ctx, org, sup, rubric);
    const card = await csrPage.get(`/evaluations/${evaluation.id}`);
    expect(card.text).toContain(`href="/evaluations/${evaluation.id}/dispute"`);
    expect(card.text).toContain('2 of 2 disputes left');
    const form = await csrPage.get(`/evaluations/${evaluation.id}/dispute`);
    expect(form.status).toBe(200);
    const { greet, name, accurate, policy } = itemsByName(rubric);
    for (const item of [name, accurate]) expect(form.text).toContain(`value="${item.id}"`);
    for (const item of [greet, policy]) expect(form.text).not.toContain(`name="item_ids" value="${item.id}"`);
  });

  test('no items or no reason: 422 with messages beside the fields and the choices kept', async () => {
    const evaluation = await scoredCall(ctx, org, sup, rubric);
    const { name } = itemsByName(rubric);
    const res = await postForm(
      csrPage,
      `/evaluations/${evaluation.id}/dispute`,
      { item_ids: String(name.id), reason: '' },
      `/evaluations/${evaluation.id}/dispute`,
    );
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/id="reason"[^>]*aria-invalid="true"/);
    expect(res.text).toContain('Say why you dispute these items.');
    expect(res.text).toMatch(new RegExp(`value="${name.id}" checked`));
    const none = await postForm(
      csrPage,
      `/evaluations/${evaluation.id}/dispute`,
      { reason: 'Something' },
      `/evaluations/${evaluation.id}/dispute`,
    );
    expect(none.status).toBe(422);
    expect(none.text).toContain('Choose at least one item to dispute.');
  });

  test('sending it: 303 to the scorecard, which shows "in review" with the items; so does My scorecards', async () => {
    const evaluation = await scoredCall(ctx, org, sup, rubric);
    const { name, accurate } = itemsByName(rubric);
    const res = await postForm(
      csrPage,
      `/evaluations/${evaluation.id}/dispute`,
      { item_ids: [String(name.id), String(accurate.id)], reason: 'I said my name at 0:03.' },
      `/evaluations/${evaluation.id}/dispute`,
    );
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/evaluations/${evaluation.id}`);
    const card = await csrPage.get(`/evaluations/${evaluation.id}`);
    expect(card.text).toContain('Dispute sent: 2 items in review');
    expect(card.text).toContain('in review');
    expect(card.text).toContain('I said my name at 0:03.');
    expect(card.text).not.toContain(`href="/evaluations/${evaluation.id}/dispute"`);
    const list = await csrPage.get('/scorecards');
    const row = list.text.split('<tr>').find((r) => r.includes(`/evaluations/${evaluation.id}"`))!;
    expect(row).toContain('in review');
    const again = await postForm(
      csrPage,
      `/evaluations/${evaluation.id}/dispute`,
      { item_ids: String(name.id), reason: 'Again' },
      `/evaluations/${evaluation.id}`,
    );
    expect(again.status).toBe(303);
    expect((await csrPage.get(`/evaluations/${evaluation.id}`)).text).toContain('already in review');
  });

  test('the assignee sees "in review" on the scorecard and the dispute in their queue', async () => {
    const evaluation = await scoredCall(ctx, org, sup, rubric);
    const opened = await dispute(csr, evaluation.id, { item_ids: [itemsByName(rubric).name.id], reason: 'Queue me.' });
    const reviewer = await signIn(ctx.app, supervisorA2.username);
    const card = await reviewer.get(`/evaluations/${evaluation.id}`);
    expect(card.text).toContain('in review');
    expect(card.text).toContain(`href="/disputes/${opened.body.id}"`);
    expect(card.text).toContain('Decide this dispute');
    const queue = await reviewer.get('/disputes');
    const mine = queue.text.split('id="others-heading"')[0];
    expect(mine).toContain(`href="/disputes/${opened.body.id}"`);
  });
});
