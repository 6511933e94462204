import request from 'supertest';
import { loadRubric } from '../../src/rubrics/rubrics.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { postForm, signIn, type Agent } from '../helpers/http';
import {
  api,
  choice,
  itemsOf,
  makeCall,
  rubricJson,
  section,
  tokenFor,
  workedExampleAnswers,
  workedExampleRubric,
  yesNo,
  type Api,
  type RubricJson,
} from '../helpers/scoring';

// Rubrics: validation, draft → published, versions (a published version is never edited in place), retired
// versions stay readable, duplicates are separate, and the builder works with plain form posts.

let ctx: TestContext;
let org: Org;
let adminApi: Api;
let managerApi: Api;
let supApi: Api;
let csrApi: Api;
let adminPage: Agent;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  adminApi = api(ctx.app, await tokenFor(ctx.deps, org.admin));
  managerApi = api(ctx.app, await tokenFor(ctx.deps, org.manager));
  supApi = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  csrApi = api(ctx.app, await tokenFor(ctx.deps, org.csrA));
  adminPage = await signIn(ctx.app, org.admin.username);
});
afterAll(async () => ctx.close());

async function rubricCount(): Promise<number> {
  return (await ctx.deps.db.selectFrom('rubrics').select('id').execute()).length;
}

async function rubricRow(id: number) {
  return ctx.deps.db.selectFrom('rubrics').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function createAndPublish(input: RubricJson = workedExampleRubric()): Promise<number> {
  const created = await adminApi.post('/api/v1/rubrics', input);
  expect(created.status).toBe(201);
  expect((await adminApi.post(`/api/v1/rubrics/${created.body.id}/publish`, {})).status).toBe(200);
  return created.body.id;
}

describe('POST /api/v1/rubrics and publish', () => {
  test('a valid rubric is stored as draft version 1 of its own family, with ids for sections, items and options', async () => {
    const res = await adminApi.post('/api/v1/rubrics', workedExampleRubric());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'draft', version: 1, family_id: res.body.id, pass_threshold: 75 });
    expect(res.body.sections.map((s: { title: string; weight: number }) => [s.title, s.weight])).toEqual([
      ['Greeting', 1],
      ['Policy', 3],
    ]);
    const policy = res.body.sections[1].items[1];
    expect(policy).toMatchObject({ type: 'choice', max_points: 5 });
    expect(policy.options.map((o: { points: number }) => o.points)).toEqual([0, 2, 5]);
    expect(policy.options.every((o: { id: unknown }) => Number.isInteger(o.id))).toBe(true);
    const fetched = await supApi.get(`/api/v1/rubrics/${res.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(res.body);
  });

  test('publishing makes it published; publishing again is 409', async () => {
    const created = await adminApi.post('/api/v1/rubrics', workedExampleRubric());
    const published = await adminApi.post(`/api/v1/rubrics/${created.body.id}/publish`, {});
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ status: 'published', published_at: ctx.clock.now().toISOString() });
    const again = await adminApi.post(`/api/v1/rubrics/${created.body.id}/publish`, {});
    expect(again.status).toBe(409);
    expect((await adminApi.post('/api/v1/rubrics/99999999/publish', {})).status).toBe(404);
  });

  test('a publish POST without any body (as fetch() sends it) is accepted', async () => {
    const created = await adminApi.post('/api/v1/rubrics', workedExampleRubric());
    const res = await adminApi.post(`/api/v1/rubrics/${created.body.id}/publish`);
    expect(res.status).toBe(200);
    expect((await rubricRow(created.body.id)).status).toBe('published');
  });

  test('a manager may create rubrics; a supervisor and a CSR get 403 and nothing is stored', async () => {
    expect((await managerApi.post('/api/v1/rubrics', workedExampleRubric())).status).toBe(201);
    const before = await rubricCount();
    expect((await supApi.post('/api/v1/rubrics', workedExampleRubric())).status).toBe(403);
    expect((await csrApi.post('/api/v1/rubrics', workedExampleRubric())).status).toBe(403);
    expect((await csrApi.get(`/api/v1/rubrics/1`)).status).toBe(403);
    expect(await rubricCount()).toBe(before);
  });

  const base = () => workedExampleRubric();
  const invalid: Array<[string, () => unknown, string, string]> = [
    [
      'a rubric with no sections',
      () => ({ ...base(), sections: [] }),
      'sections',
      'A rubric needs at least one section.',
    ],
    [
      'a rubric without a sections list',
      () => ({ name: 'No sections', pass_threshold: 75 }),
      'sections',
      'A rubric needs sections.',
    ],
    [
      'a section with weight 0',
      () => rubricJson([section('Greeting', 0, [yesNo('Greeted')])]),
      'sections.0.weight',
      'Weight must be more than 0.',
    ],
    [
      'a section with a negative weight',
      () => rubricJson([section('Greeting', -2, [yesNo('Greeted')])]),
      'sections.0.weight',
      'Weight must be more than 0.',
    ],
    [
      'a pass threshold above 100',
      () => ({ ...base(), pass_threshold: 100.5 }),
      'pass_threshold',
      'Pass threshold is from 0 to 100.',
    ],
    [
      'a negative pass threshold',
      () => ({ ...base(), pass_threshold: -1 }),
      'pass_threshold',
      'Pass threshold is from 0 to 100.',
    ],
    [
      'a section threshold outside 0..100',
      () => rubricJson([section('Greeting', 1, [yesNo('Greeted')], 120)]),
      'sections.0.threshold',
      'Threshold is from 0 to 100.',
    ],
    [
      'a choice item with one option',
      () => rubricJson([section('Policy', 1, [choice('Followed policy', [2])])]),
      'sections.0.items.0.options',
      'A choice item needs at least two options.',
    ],
    [
      'a choice item whose options are all worth 0',
      () => rubricJson([section('Policy', 1, [choice('Followed policy', [0, 0])])]),
      'sections.0.items.0.options',
      'At least one option must be worth points.',
    ],
    [
      'a scale item without its maximum',
      () => rubricJson([section('Policy', 1, [{ prompt: 'Accurate', type: 'scale' }])]),
      'sections.0.items.0.max',
      'A scale item needs its maximum.',
    ],
    [
      'a section without items',
      () => rubricJson([section('Empty', 1, [])]),
      'sections.0.items',
      'Each section needs at least one item.',
    ],
    [
      'an unknown item type',
      () => rubricJson([section('Odd', 1, [{ prompt: 'Odd', type: 'stars' as 'scale', max: 5 }])]),
      'sections.0.items.0.type',
      'Item type is yes_no, scale or choice.',
    ],
    [
      'release after days without the number of days',
      () => ({ ...base(), release_mode: 'after_days' }),
      'release_after_days',
      'Say after how many days scorecards are released.',
    ],
    ['a blank name', () => ({ ...base(), name: '   ' }), 'name', 'The rubric needs a name.'],
  ];

  test.each(invalid)('%s is 422 with the field named, and nothing is stored', async (_name, body, path, message) => {
    const before = await rubricCount();
    const res = await adminApi.post('/api/v1/rubrics', body() as object);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toContainEqual({ path, message });
    expect(await rubricCount()).toBe(before);
  });
});

describe('versions', () => {
  test('editing a published rubric starts a new draft version of the same family; the published one is untouched', async () => {
    const v1 = await createAndPublish();
    const res = await postForm(adminPage, `/rubrics/${v1}/new-version`, {});
    expect(res.status).toBe(303);
    const match = /^\/rubrics\/(\d+)\/edit$/.exec(res.headers.location);
    expect(match).not.toBeNull();
    const v2 = Number(match![1]);
    expect(v2).not.toBe(v1);
    expect(await rubricRow(v2)).toMatchObject({ family_id: v1, version: 2, status: 'draft' });
    expect((await rubricRow(v1)).status).toBe('published');
    const copy = (await loadRubric(ctx.deps.db, v2))!;
    expect(itemsOf(copy).map((i) => i.prompt)).toEqual(
      itemsOf((await loadRubric(ctx.deps.db, v1))!).map((i) => i.prompt),
    );

    const again = await postForm(adminPage, `/rubrics/${v1}/new-version`, {});
    expect(again.headers.location).toBe(`/rubrics/${v2}/edit`);
  });

  test('a published version cannot be edited in place: the builder refuses with 409 and the edit page redirects', async () => {
    const v1 = await createAndPublish();
    const before = (await loadRubric(ctx.deps.db, v1))!;
    const edit = await adminPage.get(`/rubrics/${v1}/edit`);
    expect(edit.status).toBe(303);
    expect(edit.headers.location).toBe(`/rubrics/${v1}`);
    const res = await postForm(adminPage, `/rubrics/${v1}`, {
      op: 'save',
      name: 'Renamed in place',
      pass_threshold: '75',
      release_mode: 'on_submit',
      s0_title: 'Only',
      s0_weight: '1',
      s0_i0_prompt: 'One question',
      s0_i0_type: 'yes_no',
      s0_i0_points: '1',
    });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Only a draft can be edited; start a new version instead.');
    expect(await loadRubric(ctx.deps.db, v1)).toEqual(before);
  });

  test('evaluations keep their version; publishing the new version retires the old one, which stays readable', async () => {
    const v1 = await createAndPublish();
    const v1Rubric = (await loadRubric(ctx.deps.db, v1))!;
    const supervisor = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
    const call = await makeCall(ctx.deps, org.admin, org.csrA);
    const scored = await supervisor.post('/api/v1/evaluations', {
      call_id: call.id,
      rubric_id: v1,
      answers: workedExampleAnswers(v1Rubric),
      submit: true,
    });
    expect(scored.status).toBe(201);

    const started = await postForm(adminPage, `/rubrics/${v1}/new-version`, {});
    const v2 = Number(/\/rubrics\/(\d+)\/edit/.exec(started.headers.location)![1]);
    const saved = await postForm(adminPage, `/rubrics/${v2}`, {
      op: 'publish',
      name: 'Worked example',
      pass_threshold: '80',
      release_mode: 'on_submit',
      s0_title: 'Greeting',
      s0_weight: '1',
      s0_i0_prompt: 'Used the new company greeting',
      s0_i0_type: 'yes_no',
      s0_i0_points: '1',
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe(`/rubrics/${v2}`);

    expect(await rubricRow(v2)).toMatchObject({ status: 'published', version: 2, pass_threshold: 80 });
    expect(await rubricRow(v1)).toMatchObject({ status: 'retired', retired_at: ctx.clock.now().toISOString() });
    const old = await supervisor.get(`/api/v1/rubrics/${v1}`);
    expect(old.status).toBe(200);
    expect(old.body.status).toBe('retired');
    expect(old.body.sections[0].items.map((i: { prompt: string }) => i.prompt)).toEqual([
      'Used the company greeting',
      'Gave their own name',
    ]);
    expect((await adminPage.get(`/rubrics/${v1}`)).status).toBe(200);

    const evaluation = await supervisor.get(`/api/v1/evaluations/${scored.body.id}`);
    expect(evaluation.body.rubric_id).toBe(v1);
    expect(evaluation.body.score).toBe(79.166667);
    const scorecard = await (await signIn(ctx.app, org.supervisorA.username)).get(`/evaluations/${scored.body.id}`);
    expect(scorecard.text).toContain('Gave their own name');
    expect(scorecard.text).not.toContain('Used the new company greeting');

    const call2 = await makeCall(ctx.deps, org.admin, org.csrA);
    const onOld = await supervisor.post('/api/v1/evaluations', {
      call_id: call2.id,
      rubric_id: v1,
      answers: [],
      submit: false,
    });
    expect(onOld.status).toBe(422);
    const onNew = await supervisor.post('/api/v1/evaluations', {
      call_id: call2.id,
      rubric_id: v2,
      answers: [],
      submit: false,
    });
    expect(onNew.status).toBe(201);
  });

  test('duplicating makes a separate rubric family; publishing the copy retires nothing', async () => {
    const original = await createAndPublish(workedExampleRubric({ name: 'Original form' }));
    const res = await postForm(adminPage, `/rubrics/${original}/duplicate`, {});
    expect(res.status).toBe(303);
    const copyId = Number(/^\/rubrics\/(\d+)\/edit$/.exec(res.headers.location)![1]);
    const copy = await rubricRow(copyId);
    expect(copy).toMatchObject({ family_id: copyId, version: 1, status: 'draft', name: 'Copy of Original form' });
    expect(copy.family_id).not.toBe((await rubricRow(original)).family_id);
    expect((await adminApi.post(`/api/v1/rubrics/${copyId}/publish`, {})).status).toBe(200);
    expect((await rubricRow(original)).status).toBe('published');
  });
});

describe('the builder without JavaScript', () => {
  const basics = {
    name: 'Built by form',
    pass_threshold: '75',
    release_mode: 'on_submit',
    release_after_days: '',
    s0_title: 'Greeting',
    s0_weight: '1',
    s0_threshold: '',
    s0_i0_prompt: 'First question',
    s0_i0_type: 'yes_no',
    s0_i0_points: '1',
    s0_i0_max: '4',
  };

  test('GET /rubrics/new is a form with a first section and item', async () => {
    const res = await adminPage.get('/rubrics/new');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/<form method="post" action="\/rubrics"/);
    expect(res.text).toContain('name="s0_title"');
    expect(res.text).toContain('name="s0_i0_prompt"');
    expect(res.text).not.toContain('name="s1_title"');
  });

  test('add_section adds a section and keeps what was typed, storing nothing', async () => {
    const before = await rubricCount();
    const res = await postForm(adminPage, '/rubrics', { ...basics, op: 'add_section' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('name="s1_title"');
    expect(res.text).toContain('name="s1_i0_prompt"');
    expect(res.text).toMatch(/id="name"[^>]*value="Built by form"/);
    expect(res.text).toMatch(/id="s0_i0_prompt"[^>]*value="First question"/);
    expect(await rubricCount()).toBe(before);
  });

  test('add_item:0 adds an item to the first section', async () => {
    const res = await postForm(adminPage, '/rubrics', { ...basics, op: 'add_item:0' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('name="s0_i1_prompt"');
    expect(res.text).not.toContain('name="s0_i2_prompt"');
  });

  test('remove_item:0:1 removes the second item and keeps the first', async () => {
    const res = await postForm(adminPage, '/rubrics', {
      ...basics,
      s0_i1_prompt: 'Second question',
      s0_i1_type: 'yes_no',
      op: 'remove_item:0:1',
    });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('Second question');
    expect(res.text).not.toContain('name="s0_i1_prompt"');
    expect(res.text).toMatch(/id="s0_i0_prompt"[^>]*value="First question"/);
  });

  test('up_item:0:1 moves the second item above the first', async () => {
    const res = await postForm(adminPage, '/rubrics', {
      ...basics,
      s0_i1_prompt: 'Second question',
      s0_i1_type: 'scale',
      s0_i1_max: '5',
      op: 'up_item:0:1',
    });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/id="s0_i0_prompt"[^>]*value="Second question"/);
    expect(res.text).toMatch(/id="s0_i1_prompt"[^>]*value="First question"/);
    expect(res.text).toMatch(/id="s0_i0_max"[^>]*value="5"/);
  });

  test('down_section:0 and remove_section:1 reorder and remove sections', async () => {
    const two = { ...basics, s1_title: 'Closing', s1_weight: '2', s1_i0_prompt: 'Thanked', s1_i0_type: 'yes_no' };
    const moved = await postForm(adminPage, '/rubrics', { ...two, op: 'down_section:0' });
    expect(moved.text).toMatch(/id="s0_title"[^>]*value="Closing"/);
    expect(moved.text).toMatch(/id="s1_title"[^>]*value="Greeting"/);
    const removed = await postForm(adminPage, '/rubrics', { ...two, op: 'remove_section:1' });
    expect(removed.text).not.toContain('name="s1_title"');
    expect(removed.text).not.toContain('Closing');
  });

  test('add_option adds an option row to a choice item', async () => {
    const res = await postForm(adminPage, '/rubrics', {
      ...basics,
      s0_i0_type: 'choice',
      s0_i0_o0_label: 'Fully',
      s0_i0_o0_points: '2',
      s0_i0_o1_label: 'Not',
      s0_i0_o1_points: '0',
      op: 'add_option:0:0',
    });
    expect(res.status).toBe(200);
    expect(res.text).toContain('name="s0_i0_o2_label"');
    expect(res.text).toMatch(/id="s0_i0_o0_label"[^>]*value="Fully"/);
  });

  test('save stores the draft with every field and sends the browser to its edit page', async () => {
    const res = await postForm(adminPage, '/rubrics', {
      ...basics,
      s0_i1_prompt: 'Followed the policy',
      s0_i1_type: 'choice',
      s0_i1_critical: 'on',
      s0_i1_comment_required: 'on',
      s0_i1_o0_label: 'Fully',
      s0_i1_o0_points: '2',
      s0_i1_o1_label: 'Not',
      s0_i1_o1_points: '0',
      s1_title: 'Accuracy',
      s1_weight: '2.5',
      s1_threshold: '60',
      s1_i0_prompt: 'Accurate information',
      s1_i0_type: 'scale',
      s1_i0_max: '5',
      s1_i0_allow_na: 'on',
      op: 'save',
    });
    expect(res.status).toBe(303);
    const id = Number(/^\/rubrics\/(\d+)\/edit$/.exec(res.headers.location)![1]);
    const stored = (await loadRubric(ctx.deps.db, id))!;
    expect(stored).toMatchObject({ name: 'Built by form', status: 'draft', pass_threshold: 75 });
    expect(stored.sections.map((s) => [s.title, s.weight, s.threshold])).toEqual([
      ['Greeting', 1, null],
      ['Accuracy', 2.5, 60],
    ]);
    expect(
      itemsOf(stored).map((i) => [i.prompt, i.type, i.max_points, i.critical, i.allow_na, i.comment_required]),
    ).toEqual([
      ['First question', 'yes_no', 1, false, false, false],
      ['Followed the policy', 'choice', 2, true, false, true],
      ['Accurate information', 'scale', 5, false, true, false],
    ]);
    expect(itemsOf(stored)[1].options.map((o) => [o.label, o.points])).toEqual([
      ['Fully', 2],
      ['Not', 0],
    ]);
    const edit = await adminPage.get(res.headers.location);
    expect(edit.status).toBe(200);
    expect(edit.text).toMatch(/id="s1_title"[^>]*value="Accuracy"/);
  });

  test('publish stores and publishes in one go', async () => {
    const res = await postForm(adminPage, '/rubrics', { ...basics, name: 'Published by form', op: 'publish' });
    expect(res.status).toBe(303);
    const id = Number(/^\/rubrics\/(\d+)$/.exec(res.headers.location)![1]);
    expect(await rubricRow(id)).toMatchObject({ name: 'Published by form', status: 'published' });
  });

  test('invalid fields are 422 with the form again, each message beside its field, values kept, nothing stored', async () => {
    const before = await rubricCount();
    const res = await postForm(adminPage, '/rubrics', {
      ...basics,
      name: '',
      pass_threshold: '120',
      s0_weight: '0',
      s0_i0_prompt: 'Kept question',
      s0_i1_prompt: 'Policy',
      s0_i1_type: 'choice',
      s0_i1_o0_label: 'Only option',
      s0_i1_o0_points: '2',
      op: 'save',
    });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/id="name"[^>]*aria-invalid="true"/);
    expect(res.text).toContain('The rubric needs a name.');
    expect(res.text).toMatch(/id="pass_threshold"[^>]*aria-invalid="true"/);
    expect(res.text).toContain('Pass threshold is from 0 to 100.');
    expect(res.text).toMatch(
      /id="s0_weight"[^>]*aria-invalid="true"[^>]*>\s*<small class="field-error">Weight must be more than 0\.<\/small>/,
    );
    expect(res.text).toMatch(/<p class="field-error">A choice item needs at least two options\.<\/p>/);
    expect(res.text).toMatch(/id="s0_i0_prompt"[^>]*value="Kept question"/);
    expect(res.text).toMatch(/id="s0_i1_o0_label"[^>]*value="Only option"/);
    expect(await rubricCount()).toBe(before);
  });

  test('removing the only section and saving is 422 "A rubric needs at least one section."', async () => {
    const before = await rubricCount();
    const removed = await postForm(adminPage, '/rubrics', { ...basics, op: 'remove_section:0' });
    expect(removed.text).not.toContain('name="s0_title"');
    const res = await postForm(adminPage, '/rubrics', {
      name: 'Empty',
      pass_threshold: '75',
      release_mode: 'on_submit',
      op: 'save',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('A rubric needs at least one section.');
    expect(await rubricCount()).toBe(before);
  });

  test('a supervisor cannot open or post the builder (403)', async () => {
    const page = await signIn(ctx.app, org.supervisorA.username);
    expect((await page.get('/rubrics/new')).status).toBe(403);
    const before = await rubricCount();
    expect((await postForm(page, '/rubrics', { ...basics, op: 'save' })).status).toBe(403);
    expect(await rubricCount()).toBe(before);
  });

  test('a builder post without the CSRF token is refused and stores nothing', async () => {
    const before = await rubricCount();
    const res = await adminPage
      .post('/rubrics')
      .type('form')
      .send({ ...basics, op: 'save' });
    expect(res.status).toBe(403);
    expect(await rubricCount()).toBe(before);
    const signedOut = await request(ctx.app)
      .post('/rubrics')
      .type('form')
      .send({ ...basics, op: 'save' });
    expect([401, 403]).toContain(signedOut.status);
    expect(await rubricCount()).toBe(before);
  });
});
