import type { User } from '../../src/db/schema';
import { saveEvaluation, releaseDueEvaluations } from '../../src/evaluations/evaluations.service';
import { Conflict } from '../../src/lib/errors';
import { saveTeam } from '../../src/org/org.service';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, buildUser, type Org } from '../helpers/builders';
import { csrfFrom, postForm, signIn, type Agent } from '../helpers/http';
import {
  api,
  itemsOf,
  makeCall,
  optionWorth,
  publishedRubric,
  tokenFor,
  workedExampleAnswers,
  workedExampleRubric,
  type AnswerJson,
  type Api,
} from '../helpers/scoring';

// draft → submitted → released → acknowledged, release modes, refused transitions, rescoring with kept
// revisions, one draft per supervisor, audit rows, time spent, and two saves of the same draft at once.

let ctx: TestContext;
let org: Org;
let supervisorA2: User;
let rubrics: Record<'onSubmit' | 'afterDays' | 'manual' | 'never', FullRubric>;
let sup: Api;
let sup2: Api;
let adminApi: Api;
let supB: Api;
let csr: Api;
let csr2: Api;

const DAY = 86_400_000;

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
  rubrics = {
    onSubmit: await publishedRubric(ctx.deps, workedExampleRubric({ release_mode: 'on_submit' })),
    afterDays: await publishedRubric(
      ctx.deps,
      workedExampleRubric({ release_mode: 'after_days', release_after_days: 3 }),
    ),
    manual: await publishedRubric(ctx.deps, workedExampleRubric({ release_mode: 'manual' })),
    never: await publishedRubric(ctx.deps, workedExampleRubric({ release_mode: 'never' })),
  };
  sup = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  sup2 = api(ctx.app, await tokenFor(ctx.deps, supervisorA2));
  adminApi = api(ctx.app, await tokenFor(ctx.deps, org.admin));
  supB = api(ctx.app, await tokenFor(ctx.deps, org.supervisorB));
  csr = api(ctx.app, await tokenFor(ctx.deps, org.csrA));
  csr2 = api(ctx.app, await tokenFor(ctx.deps, org.csrA2));
});
afterAll(async () => ctx.close());

const now = () => ctx.clock.now().toISOString();

interface EvaluationBody {
  id: number;
  call_id: number;
  status: string;
  revision: number;
  score: number | null;
  released_at: string | null;
  submitted_at: string | null;
  acknowledged_at: string | null;
}

/** A new call of csrA scored with the rubric through the API; returns the API's answer. */
async function scoreCall(
  rubric: FullRubric,
  opts: { submit?: boolean; answers?: AnswerJson[]; client?: Api; time_spent_s?: number } = {},
): Promise<EvaluationBody> {
  const call = await makeCall(ctx.deps, org.admin, org.csrA);
  const res = await (opts.client ?? sup).post('/api/v1/evaluations', {
    call_id: call.id,
    rubric_id: rubric.id,
    answers: opts.answers ?? workedExampleAnswers(rubric),
    submit: opts.submit ?? true,
    ...(opts.time_spent_s !== undefined ? { time_spent_s: opts.time_spent_s } : {}),
  });
  expect(res.status).toBe(201);
  return res.body as EvaluationBody;
}

function fullMarks(rubric: FullRubric): AnswerJson[] {
  const [greet, name, accurate, policy] = itemsOf(rubric);
  return [
    { item_id: greet.id, value: 'yes' },
    { item_id: name.id, value: 'yes' },
    { item_id: accurate.id, value: 4 },
    { item_id: policy.id, value: optionWorth(policy, 5) },
  ];
}

/** The scoring form's fields for these answers. */
function formFields(answers: AnswerJson[]): Record<string, string> {
  return Object.fromEntries(answers.map((a) => [`a_${a.item_id}`, String(a.value)]));
}

async function row(id: number) {
  return ctx.deps.db.selectFrom('evaluations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function storedAnswers(id: number) {
  return ctx.deps.db
    .selectFrom('evaluation_answers')
    .select(['item_id', 'value', 'points'])
    .where('evaluation_id', '=', id)
    .orderBy('item_id')
    .execute();
}

async function acknowledge(client: Api, id: number) {
  return client.post(`/api/v1/evaluations/${id}/acknowledge`, { comment: 'Thanks' });
}

describe('release modes', () => {
  test('on_submit: a submitted scorecard is released at once and the CSR sees it', async () => {
    const evaluation = await scoreCall(rubrics.onSubmit);
    expect(evaluation.status).toBe('released');
    expect(evaluation.submitted_at).toBe(now());
    expect(evaluation.released_at).toBe(now());
    const seen = await csr.get(`/api/v1/evaluations/${evaluation.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.score).toBe(79.166667);
  });

  test('manual: stays submitted and hidden until a supervisor releases it through the API', async () => {
    const evaluation = await scoreCall(rubrics.manual);
    expect(evaluation.status).toBe('submitted');
    expect(evaluation.released_at).toBeNull();
    expect((await csr.get(`/api/v1/evaluations/${evaluation.id}`)).status).toBe(404);
    const released = await sup.post(`/api/v1/evaluations/${evaluation.id}/release`, {});
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ status: 'released', released_at: now() });
    expect((await csr.get(`/api/v1/evaluations/${evaluation.id}`)).status).toBe(200);
  });

  test('manual: the release button on the scorecard page releases it', async () => {
    const evaluation = await scoreCall(rubrics.manual);
    const page = await signIn(ctx.app, org.supervisorA.username);
    const res = await postForm(page, `/evaluations/${evaluation.id}/release`, {}, `/evaluations/${evaluation.id}`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/evaluations/${evaluation.id}`);
    expect((await row(evaluation.id)).status).toBe('released');
    expect((await page.get(`/evaluations/${evaluation.id}`)).text).toContain('the CSR can now see this scorecard');
  });

  test('never: release is refused with 409 by the API and the page, and the CSR never sees it', async () => {
    const evaluation = await scoreCall(rubrics.never);
    expect(evaluation.status).toBe('submitted');
    const res = await adminApi.post(`/api/v1/evaluations/${evaluation.id}/release`, {});
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('never_released');
    const page = await signIn(ctx.app, org.supervisorA.username);
    const form = await postForm(page, `/evaluations/${evaluation.id}/release`, {});
    expect(form.status).toBe(303);
    expect((await page.get(`/evaluations/${evaluation.id}`)).text).toContain('never released');
    expect((await row(evaluation.id)).status).toBe('submitted');
    expect((await csr.get(`/api/v1/evaluations/${evaluation.id}`)).status).toBe(404);
  });

  test('a release POST without any body (as fetch() sends it) is accepted like one with {}', async () => {
    const evaluation = await scoreCall(rubrics.manual);
    const res = await sup.post(`/api/v1/evaluations/${evaluation.id}/release`);
    expect(res.status).toBe(200);
    expect((await row(evaluation.id)).status).toBe('released');
  });
});

describe('refused transitions', () => {
  test('staff cannot acknowledge a scorecard for the CSR: 403, and it stays released', async () => {
    const evaluation = await scoreCall(rubrics.onSubmit);
    for (const client of [sup, adminApi]) {
      const res = await acknowledge(client, evaluation.id);
      expect(res.status).toBe(403);
    }
    expect((await row(evaluation.id)).status).toBe('released');
  });

  test('a supervisor of another team gets 404 for the scorecard, not 403', async () => {
    const evaluation = await scoreCall(rubrics.onSubmit);
    expect((await acknowledge(supB, evaluation.id)).status).toBe(404);
    expect((await supB.get(`/api/v1/evaluations/${evaluation.id}`)).status).toBe(404);
    expect((await supB.post(`/api/v1/evaluations/${evaluation.id}/release`, {})).status).toBe(404);
  });

  test('the CSR acknowledging a submitted, unreleased scorecard gets the same 404 as for no scorecard', async () => {
    const evaluation = await scoreCall(rubrics.manual);
    const res = await acknowledge(csr, evaluation.id);
    const missing = await acknowledge(csr, 99_999_999);
    expect(res.status).toBe(404);
    expect(res.text).toBe(missing.text);
    expect((await row(evaluation.id)).status).toBe('submitted');
  });

  test("another CSR cannot acknowledge someone else's released scorecard (404)", async () => {
    const evaluation = await scoreCall(rubrics.onSubmit);
    expect((await acknowledge(csr2, evaluation.id)).status).toBe(404);
    expect((await row(evaluation.id)).status).toBe('released');
  });

  test('the CSR acknowledges once; a second acknowledgement is 409 and changes nothing', async () => {
    const evaluation = await scoreCall(rubrics.onSubmit);
    ctx.clock.advance(60_000);
    const first = await acknowledge(csr, evaluation.id);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'acknowledged', acknowledged_at: now(), ack_comment: 'Thanks' });
    const before = await row(evaluation.id);
    ctx.clock.advance(60_000);
    const second = await csr.post(`/api/v1/evaluations/${evaluation.id}/acknowledge`, { comment: 'again' });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('already_acknowledged');
    expect(await row(evaluation.id)).toEqual(before);
  });

  test('submitting a submitted scorecard again is 409 and leaves it as it was', async () => {
    const evaluation = await scoreCall(rubrics.manual);
    const before = await row(evaluation.id);
    const answersBefore = await storedAnswers(evaluation.id);
    const rubric = rubrics.manual;
    await expect(
      saveEvaluation(ctx.deps, { id: org.supervisorA.id, role: 'supervisor' }, evaluation.id, {
        answers: fullMarks(rubric),
        submit: true,
      }),
    ).rejects.toMatchObject({ status: 409, code: 'already_submitted' });
    const page = await signIn(ctx.app, org.supervisorA.username);
    const csrf = await csrfFrom(page, '/profile');
    const autosave = await page
      .put(`/evaluations/${evaluation.id}/draft`)
      .set('X-CSRF-Token', csrf)
      .set('Accept', 'application/json')
      .send({ answers: fullMarks(rubric), revision: before.revision });
    expect(autosave.status).toBe(409);
    expect(autosave.body.error.message).toMatch(/already submitted/);
    expect(await row(evaluation.id)).toEqual(before);
    expect(await storedAnswers(evaluation.id)).toEqual(answersBefore);
    const submits = await ctx.deps.db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'evaluation.submitted')
      .where('entity_id', '=', evaluation.id)
      .execute();
    expect(submits).toHaveLength(1);
  });

  test('releasing a draft is 409 and it stays a draft', async () => {
    const draft = await scoreCall(rubrics.manual, { submit: false });
    expect(draft.status).toBe('draft');
    const res = await sup.post(`/api/v1/evaluations/${draft.id}/release`, {});
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/Submit the scorecard before releasing it/);
    expect((await row(draft.id)).status).toBe('draft');
  });

  test('releasing a released scorecard again is 409', async () => {
    const evaluation = await scoreCall(rubrics.onSubmit);
    const res = await sup.post(`/api/v1/evaluations/${evaluation.id}/release`, {});
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('wrong_state');
  });

  test('a CSR may not release their own scorecard (403)', async () => {
    const evaluation = await scoreCall(rubrics.manual);
    expect((await csr.post(`/api/v1/evaluations/${evaluation.id}/release`, {})).status).toBe(403);
    expect((await row(evaluation.id)).status).toBe('submitted');
  });
});

describe('rescoring', () => {
  test('a rescore without a reason is refused with 422 beside the field, and nothing changes', async () => {
    const evaluation = await scoreCall(rubrics.onSubmit);
    const before = await row(evaluation.id);
    const page = await signIn(ctx.app, org.supervisorA.username);
    const res = await postForm(page, `/evaluations/${evaluation.id}/rescore`, {
      ...formFields(fullMarks(rubrics.onSubmit)),
      reason: '',
      revision: String(before.revision),
      op: 'rescore',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Say why you are rescoring.');
    expect(res.text).toMatch(/id="reason"[^>]*aria-invalid="true"/);
    expect(await row(evaluation.id)).toEqual(before);
    const revisions = await ctx.deps.db
      .selectFrom('evaluation_revisions')
      .select('id')
      .where('evaluation_id', '=', evaluation.id)
      .execute();
    expect(revisions).toHaveLength(0);
  });

  test('a rescore keeps the earlier revision (who, when, why), shows it on the scorecard, and the newest score counts', async () => {
    const evaluation = await scoreCall(rubrics.onSubmit);
    const before = await row(evaluation.id);
    ctx.clock.advance(3_600_000);
    const page = await signIn(ctx.app, supervisorA2.username);
    const res = await postForm(page, `/evaluations/${evaluation.id}/rescore`, {
      ...formFields(fullMarks(rubrics.onSubmit)),
      reason: 'Listened again: the agent did give their name',
      revision: String(before.revision),
      op: 'rescore',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/evaluations/${evaluation.id}`);

    const revisions = await ctx.deps.db
      .selectFrom('evaluation_revisions')
      .selectAll()
      .where('evaluation_id', '=', evaluation.id)
      .execute();
    expect(revisions).toHaveLength(1);
    expect(revisions[0]).toMatchObject({
      reason: 'Listened again: the agent did give their name',
      replaced_by: supervisorA2.id,
      replaced_at: now(),
    });
    const snapshot = JSON.parse(revisions[0].snapshot) as { score: number; answers: Array<{ value: string }> };
    expect(snapshot.score).toBe(79.166667);
    expect(snapshot.answers.map((a) => a.value)).toContain('no');

    const after = await row(evaluation.id);
    expect(after).toMatchObject({ score: 100, rescore_count: 1, updated_by: supervisorA2.id, status: 'released' });
    expect(after.revision).toBeGreaterThan(before.revision);

    const scorecard = await page.get(`/evaluations/${evaluation.id}`);
    expect(scorecard.text).toContain('Earlier revisions');
    expect(scorecard.text).toContain(supervisorA2.display_name);
    expect(scorecard.text).toContain('replaced a score of 79.2%');
    expect(scorecard.text).toContain('Listened again: the agent did give their name');
    expect(scorecard.text).toContain('100.0%');

    expect((await csr.get(`/api/v1/evaluations/${evaluation.id}`)).body.score).toBe(100);
    const list = await sup.get(`/api/v1/evaluations?agent=${org.csrA.username}&limit=500`);
    const listed = (list.body.items as Array<{ id: number; score: number }>).filter((e) => e.id === evaluation.id);
    expect(listed).toEqual([expect.objectContaining({ score: 100 })]);
  });

  test('a rescore sent with a stale revision is 409 and keeps no revision', async () => {
    const evaluation = await scoreCall(rubrics.manual);
    const before = await row(evaluation.id);
    await sup.post(`/api/v1/evaluations/${evaluation.id}/release`, {});
    const page = await signIn(ctx.app, org.supervisorA.username);
    const res = await postForm(page, `/evaluations/${evaluation.id}/rescore`, {
      ...formFields(fullMarks(rubrics.manual)),
      reason: 'Second look',
      revision: String(before.revision),
      op: 'rescore',
    });
    expect(res.status).toBe(409);
    expect(res.text).toMatch(/reload/);
    expect((await row(evaluation.id)).score).toBe(79.166667);
    const revisions = await ctx.deps.db
      .selectFrom('evaluation_revisions')
      .select('id')
      .where('evaluation_id', '=', evaluation.id)
      .execute();
    expect(revisions).toHaveLength(0);
  });

  test('an acknowledged scorecard that is rescored needs acknowledging again', async () => {
    const evaluation = await scoreCall(rubrics.onSubmit);
    expect((await acknowledge(csr, evaluation.id)).status).toBe(200);
    const page = await signIn(ctx.app, org.supervisorA.username);
    const res = await postForm(page, `/evaluations/${evaluation.id}/rescore`, {
      ...formFields(fullMarks(rubrics.onSubmit)),
      reason: 'Calibration session agreed on full marks',
      revision: String((await row(evaluation.id)).revision),
      op: 'rescore',
    });
    expect(res.status).toBe(303);
    const after = await row(evaluation.id);
    expect(after).toMatchObject({ status: 'released', acknowledged_at: null, ack_comment: null, score: 100 });
    const csrPage = await signIn(ctx.app, org.csrA.username);
    expect((await csrPage.get(`/evaluations/${evaluation.id}`)).text).toContain('I have reviewed this scorecard');
    const again = await acknowledge(csr, evaluation.id);
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('acknowledged');
  });
});

describe('drafts', () => {
  test('starting the same call and rubric twice returns the same draft for the same supervisor', async () => {
    const call = await makeCall(ctx.deps, org.admin, org.csrA);
    const body = { call_id: call.id, rubric_id: rubrics.onSubmit.id, answers: [], submit: false };
    const first = await sup.post('/api/v1/evaluations', body);
    const second = await sup.post('/api/v1/evaluations', body);
    expect(first.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    const page = await signIn(ctx.app, org.supervisorA.username);
    const started = await postForm(page, '/evaluations/start', { call_id: call.id, rubric_id: rubrics.onSubmit.id });
    expect(started.status).toBe(303);
    expect(started.headers.location).toBe(`/evaluations/${first.body.id}/score`);
    const rows = await ctx.deps.db.selectFrom('evaluations').select('id').where('call_id', '=', call.id).execute();
    expect(rows).toHaveLength(1);
  });

  test('another supervisor of the team gets their own draft of the same call and rubric', async () => {
    const call = await makeCall(ctx.deps, org.admin, org.csrA);
    const body = { call_id: call.id, rubric_id: rubrics.onSubmit.id, answers: [], submit: false };
    const mine = await sup.post('/api/v1/evaluations', body);
    const theirs = await sup2.post('/api/v1/evaluations', body);
    expect(theirs.status).toBe(201);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(theirs.body.evaluator_id).toBe(supervisorA2.id);
    expect(mine.body.evaluator_id).toBe(org.supervisorA.id);
  });

  test('after submitting, starting again opens a new draft instead of reopening the submitted one', async () => {
    const submitted = await scoreCall(rubrics.manual);
    const again = await sup.post('/api/v1/evaluations', {
      call_id: submitted.call_id,
      rubric_id: rubrics.manual.id,
      answers: [],
      submit: false,
    });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(submitted.id);
    expect(again.body.status).toBe('draft');
    expect((await row(submitted.id)).status).toBe('submitted');
  });
});

describe('audit log', () => {
  test('create, submit, release, acknowledge and rescore each leave an audit row naming who did it', async () => {
    const evaluation = await scoreCall(rubrics.manual);
    await sup.post(`/api/v1/evaluations/${evaluation.id}/release`, {});
    await acknowledge(csr, evaluation.id);
    const page = await signIn(ctx.app, org.supervisorA.username);
    await postForm(page, `/evaluations/${evaluation.id}/rescore`, {
      ...formFields(fullMarks(rubrics.manual)),
      reason: 'Audit trail check',
      revision: String((await row(evaluation.id)).revision),
      op: 'rescore',
    });
    const audit = await ctx.deps.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'details'])
      .where('entity_type', '=', 'evaluation')
      .where('entity_id', '=', evaluation.id)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => [a.action, a.actor_id])).toEqual([
      ['evaluation.created', org.supervisorA.id],
      ['evaluation.submitted', org.supervisorA.id],
      ['evaluation.released', org.supervisorA.id],
      ['evaluation.acknowledged', org.csrA.id],
      ['evaluation.rescored', org.supervisorA.id],
    ]);
    expect(JSON.parse(audit[4].details!)).toMatchObject({ reason: 'Audit trail check', from: 79.166667, to: 100 });
  });
});

describe('time spent', () => {
  test('time_spent_s accumulates over autosaves, the submit and a rescore', async () => {
    const draft = await scoreCall(rubrics.onSubmit, { submit: false, time_spent_s: 30 });
    const call = draft.call_id;
    const body = { call_id: call, rubric_id: rubrics.onSubmit.id, answers: workedExampleAnswers(rubrics.onSubmit) };
    await sup.post('/api/v1/evaluations', { ...body, submit: false, time_spent_s: 45 });
    const submitted = await sup.post('/api/v1/evaluations', { ...body, submit: true, time_spent_s: 15 });
    expect(submitted.body.id).toBe(draft.id);
    expect(submitted.body.time_spent_s).toBe(90);
    const page = await signIn(ctx.app, org.supervisorA.username);
    await postForm(page, `/evaluations/${draft.id}/rescore`, {
      ...formFields(fullMarks(rubrics.onSubmit)),
      reason: 'Time check',
      revision: String((await row(draft.id)).revision),
      time_spent_s: '20',
      op: 'rescore',
    });
    expect((await row(draft.id)).time_spent_s).toBe(110);
    expect((await page.get(`/evaluations/${draft.id}`)).text).toContain('Time spent scoring: 1:50');
  });
});

describe('two saves of the same draft at once', () => {
  test('through PUT /evaluations/:id/draft: one wins, the other gets 409 "Changed by <name>", nothing half-saved', async () => {
    const draft = await scoreCall(rubrics.onSubmit, { submit: false, answers: [] });
    const revision = (await row(draft.id)).revision;
    const [greet, name, accurate] = itemsOf(rubrics.onSubmit);
    const editors = [
      {
        user: org.supervisorA,
        answers: [
          { item_id: greet.id, value: 'yes' },
          { item_id: accurate.id, value: 4 },
        ],
      },
      {
        user: supervisorA2,
        answers: [
          { item_id: name.id, value: 'no' },
          { item_id: accurate.id, value: 1 },
        ],
      },
    ];
    const sessions = await Promise.all(
      editors.map(async (e) => {
        const agent: Agent = await signIn(ctx.app, e.user.username);
        return { agent, csrf: await csrfFrom(agent, `/evaluations/${draft.id}/score`) };
      }),
    );
    const responses = await Promise.all(
      editors.map((e, i) =>
        sessions[i].agent
          .put(`/evaluations/${draft.id}/draft`)
          .set('X-CSRF-Token', sessions[i].csrf)
          .set('Accept', 'application/json')
          .send({ answers: e.answers, revision }),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = responses.findIndex((r) => r.status === 200);
    const loser = responses[1 - winner];
    expect(loser.body.error.code).toBe('stale_revision');
    expect(loser.body.error.message).toContain(`Changed by ${editors[winner].user.display_name}`);
    expect(loser.body.error.message).toMatch(/reload/);
    expect(responses[winner].body.revision).toBe(revision + 1);

    const after = await row(draft.id);
    expect(after.revision).toBe(revision + 1);
    expect(after.updated_by).toBe(editors[winner].user.id);
    const stored = await storedAnswers(draft.id);
    expect(stored.map((a) => ({ item_id: a.item_id, value: a.value }))).toEqual(
      [...editors[winner].answers]
        .sort((a, b) => a.item_id - b.item_id)
        .map((a) => ({ item_id: a.item_id, value: String(a.value) })),
    );
  });

  test('through the service: of two saves with the same revision exactly one commits', async () => {
    const draft = await scoreCall(rubrics.onSubmit, { submit: false, answers: [] });
    const revision = (await row(draft.id)).revision;
    const [greet] = itemsOf(rubrics.onSubmit);
    const results = await Promise.allSettled(
      [
        { actor: org.supervisorA, value: 'yes' },
        { actor: supervisorA2, value: 'no' },
      ].map(({ actor, value }) =>
        saveEvaluation(ctx.deps, { id: actor.id, role: 'supervisor' }, draft.id, {
          answers: [{ item_id: greet.id, value }],
          revision,
        }),
      ),
    );
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0].reason).toBeInstanceOf(Conflict);
    expect((rejected[0].reason as Conflict).message).toMatch(/^Changed by .+; reload/);
    const winnerValue = results[0].status === 'fulfilled' ? 'yes' : 'no';
    expect((await storedAnswers(draft.id)).map((a) => a.value)).toEqual([winnerValue]);
  });
});

// Last: these move the clock by days.
describe('release after N days', () => {
  test('after_days: hidden until releaseDueEvaluations runs after the delay, then released by the schedule', async () => {
    const evaluation = await scoreCall(rubrics.afterDays);
    const submittedAt = now();
    expect(evaluation.status).toBe('submitted');
    const stored = await row(evaluation.id);
    expect(stored.release_due_at).toBe(new Date(Date.parse(submittedAt) + 3 * DAY).toISOString());

    expect(await releaseDueEvaluations(ctx.deps)).toBe(0);
    ctx.clock.advance(3 * DAY - 60_000);
    expect(await releaseDueEvaluations(ctx.deps)).toBe(0);
    expect((await row(evaluation.id)).status).toBe('submitted');
    expect((await csr.get(`/api/v1/evaluations/${evaluation.id}`)).status).toBe(404);

    ctx.clock.advance(2 * 60_000);
    expect(await releaseDueEvaluations(ctx.deps)).toBe(1);
    const released = await row(evaluation.id);
    expect(released).toMatchObject({ status: 'released', released_at: now() });
    expect((await csr.get(`/api/v1/evaluations/${evaluation.id}`)).status).toBe(200);
    const audit = await ctx.deps.db
      .selectFrom('audit_log')
      .select(['actor_id', 'details'])
      .where('action', '=', 'evaluation.released')
      .where('entity_id', '=', evaluation.id)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0].actor_id).toBeNull();
    expect(JSON.parse(audit[0].details!)).toEqual({ by: 'schedule' });
    expect(await releaseDueEvaluations(ctx.deps)).toBe(0);
  });

  test('after_days: a supervisor may release early, and the schedule then leaves it alone', async () => {
    const evaluation = await scoreCall(rubrics.afterDays);
    expect((await sup.post(`/api/v1/evaluations/${evaluation.id}/release`, {})).status).toBe(200);
    const releasedAt = (await row(evaluation.id)).released_at;
    ctx.clock.advance(4 * DAY);
    expect(await releaseDueEvaluations(ctx.deps)).toBe(0);
    expect((await row(evaluation.id)).released_at).toBe(releasedAt);
  });

  test('never and manual scorecards are not released by the schedule however long they wait', async () => {
    const never = await scoreCall(rubrics.never);
    const manual = await scoreCall(rubrics.manual);
    ctx.clock.advance(400 * DAY);
    await releaseDueEvaluations(ctx.deps);
    expect((await row(never.id)).status).toBe('submitted');
    expect((await row(manual.id)).status).toBe('submitted');
  });
});
