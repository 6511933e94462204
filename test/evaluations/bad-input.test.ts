import request from 'supertest';
import type { Call } from '../../src/db/schema';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { loadRubric } from '../../src/rubrics/rubrics.queries';
import { createRubric, publishRubric, startNewVersion } from '../../src/rubrics/rubrics.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { csrfFrom, postForm, signIn } from '../helpers/http';
import {
  api,
  choice,
  itemNamed,
  makeCall,
  optionWorth,
  publishedRubric,
  rubricJson,
  scale,
  section,
  tokenFor,
  workedExampleRubric,
  yesNo,
  type AnswerJson,
  type Api,
} from '../helpers/scoring';

// Bad answers and bad requests get a clear message that points at the problem, and nothing is half-saved:
// the evaluation, its answers, coaching tasks and the call's counters are exactly as before.

let ctx: TestContext;
let org: Org;
let rubric: FullRubric;
let otherRubric: FullRubric;
let nextVersion: FullRubric;
let sup: Api;
let adminApi: Api;
let csr: Api;

const PROMPTS = {
  greeted: 'Greeted the caller',
  accurate: 'Gave accurate information',
  policy: 'Followed the refunds policy',
  verified: 'Verified the address',
};

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  rubric = await publishedRubric(
    ctx.deps,
    rubricJson([
      section('Call', 1, [
        yesNo(PROMPTS.greeted),
        scale(PROMPTS.accurate, 4),
        choice(PROMPTS.policy, [0, 2, 5], { allow_na: true }),
        yesNo(PROMPTS.verified, { comment_required: true }),
      ]),
    ]),
  );
  otherRubric = await publishedRubric(ctx.deps, workedExampleRubric());
  const v2 = await startNewVersion(ctx.deps, { id: org.admin.id, role: 'admin' }, rubric.id);
  nextVersion = (await loadRubric(ctx.deps.db, v2))!;
  sup = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  adminApi = api(ctx.app, await tokenFor(ctx.deps, org.admin));
  csr = api(ctx.app, await tokenFor(ctx.deps, org.csrA));
});
afterAll(async () => ctx.close());

const item = (prompt: string) => itemNamed(rubric, prompt);

function validAnswers(): AnswerJson[] {
  return [
    { item_id: item(PROMPTS.greeted).id, value: 'yes' },
    { item_id: item(PROMPTS.accurate).id, value: 3 },
    { item_id: item(PROMPTS.policy).id, value: optionWorth(item(PROMPTS.policy), 5) },
    { item_id: item(PROMPTS.verified).id, value: 'yes' },
  ];
}

/** Everything a refused save could have half-written. */
async function snapshot() {
  const db = ctx.deps.db;
  return {
    evaluations: await db.selectFrom('evaluations').selectAll().orderBy('id').execute(),
    answers: await db
      .selectFrom('evaluation_answers')
      .selectAll()
      .orderBy('evaluation_id')
      .orderBy('item_id')
      .execute(),
    revisions: await db.selectFrom('evaluation_revisions').selectAll().orderBy('id').execute(),
    coaching: await db.selectFrom('coaching_tasks').selectAll().orderBy('id').execute(),
    calls: await db.selectFrom('calls').select(['id', 'evaluation_count']).orderBy('id').execute(),
  };
}

async function newCall(): Promise<Call> {
  return makeCall(ctx.deps, org.admin, org.csrA);
}

/** A call with a saved draft holding one answer, ready for a bad save on top. */
async function callWithDraft(): Promise<{ call: Call; draftId: number }> {
  const call = await newCall();
  const res = await sup.post('/api/v1/evaluations', {
    call_id: call.id,
    rubric_id: rubric.id,
    answers: [{ item_id: item(PROMPTS.greeted).id, value: 'no' }],
    submit: false,
  });
  expect(res.status).toBe(201);
  return { call, draftId: res.body.id };
}

async function revisionOf(evaluationId: number): Promise<number> {
  const row = await ctx.deps.db
    .selectFrom('evaluations')
    .select('revision')
    .where('id', '=', evaluationId)
    .executeTakeFirstOrThrow();
  return row.revision;
}

interface Problem {
  path: string;
  message: RegExp;
}

const badAnswers: Array<[string, () => AnswerJson[], () => Problem]> = [
  [
    'an item of another rubric',
    () => [{ item_id: otherRubric.sections[0].items[0].id, value: 'yes' }],
    () => ({ path: 'answers.0.item_id', message: /is not part of this rubric version/ }),
  ],
  [
    'an item of another version of the same rubric',
    () => [{ item_id: itemNamed(nextVersion, PROMPTS.greeted).id, value: 'yes' }],
    () => ({ path: 'answers.0.item_id', message: /is not part of this rubric version/ }),
  ],
  [
    "an option id of another item's options",
    () => [{ item_id: item(PROMPTS.policy).id, value: otherRubric.sections[1].items[1].options[0].id }],
    () => ({ path: 'answers.0.value', message: new RegExp(`"${PROMPTS.policy}" takes one of its option ids`) }),
  ],
  [
    'a scale value above its maximum',
    () => [{ item_id: item(PROMPTS.accurate).id, value: 5 }],
    () => ({ path: 'answers.0.value', message: /takes a whole number from 0 to 4/ }),
  ],
  [
    'a negative scale value',
    () => [{ item_id: item(PROMPTS.accurate).id, value: -1 }],
    () => ({ path: 'answers.0.value', message: /takes a whole number from 0 to 4/ }),
  ],
  [
    'a fractional scale value',
    () => [{ item_id: item(PROMPTS.accurate).id, value: 2.5 }],
    () => ({ path: 'answers.0.value', message: /takes a whole number from 0 to 4/ }),
  ],
  [
    'N/A on an item that does not allow it',
    () => [{ item_id: item(PROMPTS.greeted).id, value: 'na' }],
    () => ({ path: 'answers.0.value', message: new RegExp(`"${PROMPTS.greeted}" cannot be N/A`) }),
  ],
  [
    'something other than yes or no on a yes/no item',
    () => [{ item_id: item(PROMPTS.greeted).id, value: 'maybe' }],
    () => ({ path: 'answers.0.value', message: /takes "yes" or "no"/ }),
  ],
  [
    'the same item answered twice',
    () => [
      { item_id: item(PROMPTS.greeted).id, value: 'yes' },
      { item_id: item(PROMPTS.greeted).id, value: 'no' },
    ],
    () => ({ path: 'answers.1.item_id', message: /is answered twice/ }),
  ],
];

describe('bad answers are 422 with the answer pointed at, and the draft stays as it was', () => {
  test.each(badAnswers)('%s', async (_name, answers, problem) => {
    const { call } = await callWithDraft();
    const before = await snapshot();
    const res = await sup.post('/api/v1/evaluations', {
      call_id: call.id,
      rubric_id: rubric.id,
      answers: [...answers(), { item_id: item(PROMPTS.verified).id, value: 'yes' }],
      submit: false,
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    const { path, message } = problem();
    expect(res.body.error.details).toEqual([{ path, message: expect.stringMatching(message) }]);
    expect(await snapshot()).toEqual(before);
  });

  test.each(badAnswers)(
    '%s, sent with submit: true, submits nothing and opens no coaching task',
    async (_name, answers) => {
      const { call } = await callWithDraft();
      const before = await snapshot();
      const res = await sup.post('/api/v1/evaluations', {
        call_id: call.id,
        rubric_id: rubric.id,
        answers: answers(),
        submit: true,
      });
      expect(res.status).toBe(422);
      expect(await snapshot()).toEqual(before);
    },
  );
});

describe('a refused first save leaves no evaluation behind', () => {
  test('a 422 on a call nobody has started scoring creates no draft, no answers and no audit row', async () => {
    const call = await newCall();
    const before = await snapshot();
    const audit = async () =>
      (await ctx.deps.db.selectFrom('audit_log').select('id').where('entity_type', '=', 'evaluation').execute()).length;
    const auditBefore = await audit();
    for (const answers of [
      [{ item_id: item(PROMPTS.accurate).id, value: 5 }],
      validAnswers().filter((a) => a.item_id !== item(PROMPTS.accurate).id),
    ]) {
      const res = await sup.post('/api/v1/evaluations', {
        call_id: call.id,
        rubric_id: rubric.id,
        answers,
        submit: true,
      });
      expect(res.status).toBe(422);
    }
    expect(await snapshot()).toEqual(before);
    expect(await audit()).toBe(auditBefore);
  });
});

describe('submitting needs every answer and the required comments', () => {
  test('a missing answer is 422 pointing at the item, and nothing is submitted', async () => {
    const { call, draftId } = await callWithDraft();
    const before = await snapshot();
    const accurate = item(PROMPTS.accurate);
    const res = await sup.post('/api/v1/evaluations', {
      call_id: call.id,
      rubric_id: rubric.id,
      answers: validAnswers().filter((a) => a.item_id !== accurate.id),
      submit: true,
    });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toBe('Some answers are missing or not valid.');
    expect(res.body.error.details).toEqual([
      { path: `items.${accurate.id}`, message: `Answer "${PROMPTS.accurate}".` },
    ]);
    expect(await snapshot()).toEqual(before);
    const draft = before.evaluations.find((e) => e.id === draftId)!;
    expect(draft.status).toBe('draft');
  });

  test('an answer short of full marks without its required comment is 422 pointing at the comment', async () => {
    const { call } = await callWithDraft();
    const before = await snapshot();
    const verified = item(PROMPTS.verified);
    const answers = validAnswers().map((a) => (a.item_id === verified.id ? { ...a, value: 'no' } : a));
    const res = await sup.post('/api/v1/evaluations', {
      call_id: call.id,
      rubric_id: rubric.id,
      answers,
      submit: true,
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([
      { path: `items.${verified.id}.comment`, message: expect.stringContaining('needs a comment') },
    ]);
    expect(await snapshot()).toEqual(before);

    const withComment = answers.map((a) =>
      a.item_id === verified.id ? { ...a, comment: 'Skipped the address check' } : a,
    );
    const ok = await sup.post('/api/v1/evaluations', {
      call_id: call.id,
      rubric_id: rubric.id,
      answers: withComment,
      submit: true,
    });
    expect(ok.status).toBe(201);
    expect(ok.body.status).toBe('released');
  });

  test('an item with full marks needs no comment even when comments are required', async () => {
    const call = await newCall();
    const res = await sup.post('/api/v1/evaluations', {
      call_id: call.id,
      rubric_id: rubric.id,
      answers: validAnswers(),
      submit: true,
    });
    expect(res.status).toBe(201);
  });

  test('the scoring page shows the missing item beside it with 422 and keeps the answers given', async () => {
    const { draftId } = await callWithDraft();
    const page = await signIn(ctx.app, org.supervisorA.username);
    const accurate = item(PROMPTS.accurate);
    const res = await postForm(
      page,
      `/evaluations/${draftId}/score`,
      {
        [`a_${item(PROMPTS.greeted).id}`]: 'yes',
        [`a_${item(PROMPTS.verified).id}`]: 'yes',
        [`a_${item(PROMPTS.policy).id}`]: 'na',
        revision: String(await revisionOf(draftId)),
        op: 'submit',
      },
      `/evaluations/${draftId}/score`,
    );
    expect(res.status).toBe(422);
    expect(res.text).toMatch(new RegExp(`class="score-item missing" data-item="${accurate.id}"`));
    expect(res.text).toContain(`Answer &#34;${PROMPTS.accurate}&#34;.`);
    expect(res.text).toMatch(new RegExp(`name="a_${item(PROMPTS.greeted).id}" value="yes"[^>]*checked`));
    expect(res.text).toMatch(new RegExp(`name="a_${item(PROMPTS.policy).id}" value="na"[^>]*checked`));
    const draft = await ctx.deps.db
      .selectFrom('evaluations')
      .selectAll()
      .where('id', '=', draftId)
      .executeTakeFirstOrThrow();
    expect(draft.status).toBe('draft');
  });

  test('the scoring page refuses a scale value out of range with 422', async () => {
    const { draftId } = await callWithDraft();
    const before = await snapshot();
    const page = await signIn(ctx.app, org.supervisorA.username);
    const res = await postForm(page, `/evaluations/${draftId}/score`, {
      [`a_${item(PROMPTS.accurate).id}`]: '9',
      revision: String(await revisionOf(draftId)),
      op: 'save',
    });
    expect(res.status).toBe(422);
    // The message belongs beside the item, as for a missing answer, not only in a banner above the form.
    const accurate = item(PROMPTS.accurate);
    expect(res.text).toMatch(new RegExp(`class="score-item missing" data-item="${accurate.id}"`));
    expect(res.text).toMatch(/<small class="field-error" role="alert">[^<]*takes a whole number from 0 to 4/);
    expect(await snapshot()).toEqual(before);
  });
});

describe('what can be scored', () => {
  test("a call outside the supervisor's teams is the same 404 as a missing call, and nothing is created", async () => {
    const call = await makeCall(ctx.deps, org.admin, org.otherCsr);
    const before = await snapshot();
    const body = (callId: number) => ({ call_id: callId, rubric_id: rubric.id, answers: validAnswers(), submit: true });
    const res = await sup.post('/api/v1/evaluations', body(call.id));
    const missing = await sup.post('/api/v1/evaluations', body(99_999_999));
    expect(res.status).toBe(404);
    expect(res.text).toBe(missing.text);
    expect(await snapshot()).toEqual(before);
  });

  test('an abandoned call (no agent) is 422 on call_id', async () => {
    const call = await makeCall(ctx.deps, org.admin, null, { teamId: org.teamA });
    expect(call.agent_id).toBeNull();
    const before = await snapshot();
    const res = await adminApi.post('/api/v1/evaluations', {
      call_id: call.id,
      rubric_id: rubric.id,
      answers: [],
      submit: false,
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([{ path: 'call_id', message: 'An abandoned call has no agent to score.' }]);
    expect(await snapshot()).toEqual(before);
  });

  test('a draft (unpublished) rubric is 422 on rubric_id', async () => {
    const draft = await createRubric(ctx.deps, null, workedExampleRubric());
    const call = await newCall();
    const before = await snapshot();
    const res = await sup.post('/api/v1/evaluations', {
      call_id: call.id,
      rubric_id: draft.id,
      answers: [],
      submit: false,
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([{ path: 'rubric_id', message: 'Choose a published rubric.' }]);
    expect(await snapshot()).toEqual(before);
  });

  test('a retired rubric and a missing rubric are 422 on rubric_id', async () => {
    const v1 = await publishedRubric(ctx.deps, workedExampleRubric());
    const v2 = await startNewVersion(ctx.deps, { id: org.admin.id, role: 'admin' }, v1.id);
    await publishRubric(ctx.deps, null, v2);
    const call = await newCall();
    const before = await snapshot();
    for (const rubricId of [v1.id, 99_999_999]) {
      const res = await sup.post('/api/v1/evaluations', {
        call_id: call.id,
        rubric_id: rubricId,
        answers: [],
        submit: false,
      });
      expect(res.status).toBe(422);
      expect(res.body.error.details[0].path).toBe('rubric_id');
    }
    expect(await snapshot()).toEqual(before);
  });

  test('a CSR may not score (403) and nothing is created', async () => {
    const call = await newCall();
    const before = await snapshot();
    const res = await csr.post('/api/v1/evaluations', {
      call_id: call.id,
      rubric_id: rubric.id,
      answers: [],
      submit: false,
    });
    expect(res.status).toBe(403);
    expect(await snapshot()).toEqual(before);
  });
});

describe('malformed requests', () => {
  test('a body that is not JSON is 400 with a JSON error and no stack trace', async () => {
    const res = await request(ctx.app)
      .post('/api/v1/evaluations')
      .set('Authorization', `Bearer ${await tokenFor(ctx.deps, org.supervisorA)}`)
      .set('Content-Type', 'application/json')
      .send('{"call_id": 1,');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('malformed');
    expect(res.text).not.toMatch(/\.ts:\d+/);
  });

  test.each([
    ['call_id as text', { call_id: 'one', rubric_id: 1, answers: [] }, 'call_id'],
    ['answers not a list', { call_id: 1, rubric_id: 1, answers: 'yes' }, 'answers'],
    ['an answer without a value', { call_id: 1, rubric_id: 1, answers: [{ item_id: 1 }] }, 'answers.0.value'],
    [
      'a non-numeric item id',
      { call_id: 1, rubric_id: 1, answers: [{ item_id: 'x', value: 'yes' }] },
      'answers.0.item_id',
    ],
    ['submit not a boolean', { call_id: 1, rubric_id: 1, answers: [], submit: 'yes' }, 'submit'],
  ])('%s is 422 naming the field', async (_name, body, path) => {
    const before = await snapshot();
    const res = await sup.post('/api/v1/evaluations', body);
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(await snapshot()).toEqual(before);
  });
});

describe('submitting twice', () => {
  test('saving or submitting a submitted scorecard through the autosave route is 409 and changes nothing', async () => {
    const call = await newCall();
    const submitted = await sup.post('/api/v1/evaluations', {
      call_id: call.id,
      rubric_id: rubric.id,
      answers: validAnswers(),
      submit: true,
    });
    expect(submitted.status).toBe(201);
    const before = await snapshot();
    const page = await signIn(ctx.app, org.supervisorA.username);
    const csrf = await csrfFrom(page, '/profile');
    const res = await page
      .put(`/evaluations/${submitted.body.id}/draft`)
      .set('X-CSRF-Token', csrf)
      .set('Accept', 'application/json')
      .send({ answers: [{ item_id: item(PROMPTS.greeted).id, value: 'no' }], revision: submitted.body.revision });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('already_submitted');
    expect(await snapshot()).toEqual(before);
  });
});
