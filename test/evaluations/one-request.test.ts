import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { statementsDuring } from '../helpers/statements';
import {
  api,
  itemsOf,
  makeCall,
  publishedRubric,
  tokenFor,
  workedExampleAnswers,
  workedExampleRubric,
  type Api,
} from '../helpers/scoring';

// POST /api/v1/evaluations opens the supervisor's draft of a call (or takes the one they have) and saves or
// submits it in one transaction: a submit commits once, and a refused request leaves no new draft behind.

let ctx: TestContext;
let org: Org;
let rubric: FullRubric;
let sup: Api;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  // The worked example scores 79.2%: below 90 it fails and opens a coaching task.
  rubric = await publishedRubric(ctx.deps, workedExampleRubric({ pass_threshold: 90, release_mode: 'on_submit' }));
  sup = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
});
afterAll(async () => ctx.close());

async function everything(callId: number) {
  const db = ctx.deps.db;
  const evaluations = await db.selectFrom('evaluations').selectAll().where('call_id', '=', callId).execute();
  const ids = evaluations.map((e) => e.id).concat(-1);
  return {
    evaluations,
    answers: await db.selectFrom('evaluation_answers').selectAll().where('evaluation_id', 'in', ids).execute(),
    coaching: await db.selectFrom('coaching_tasks').selectAll().where('evaluation_id', 'in', ids).execute(),
    audit: await db
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'entity_id'])
      .where('entity_type', '=', 'evaluation')
      .where('entity_id', 'in', ids)
      .orderBy('id')
      .execute(),
    call: await db.selectFrom('calls').select('evaluation_count').where('id', '=', callId).executeTakeFirstOrThrow(),
  };
}

test('a submit on a call nobody scored opens and submits the draft with one commit, writing everything', async () => {
  const call = await makeCall(ctx.deps, org.admin, org.csrA);
  let res: Awaited<ReturnType<Api['post']>> | undefined;
  const statements = await statementsDuring(ctx, async () => {
    res = await sup.post('/api/v1/evaluations', {
      call_id: call.id,
      rubric_id: rubric.id,
      answers: workedExampleAnswers(rubric),
      submit: true,
    });
  });
  expect(res!.status).toBe(201);
  expect(statements.filter((sql) => /^\s*begin\b/i.test(sql))).toHaveLength(1);
  expect(statements.filter((sql) => /^\s*commit\b/i.test(sql))).toHaveLength(1);

  const stored = await everything(call.id);
  expect(stored.evaluations).toHaveLength(1);
  const [evaluation] = stored.evaluations;
  expect(res!.body).toMatchObject({ id: evaluation.id, status: 'released', revision: 2, passed: false });
  expect(res!.body.coaching_task_id).toBe(stored.coaching[0].id);
  expect(evaluation).toMatchObject({ status: 'released', revision: 2, score: 79.166667, passed: 0 });
  expect(stored.answers.map((a) => a.item_id).sort()).toEqual(itemsOf(rubric).map((i) => i.id));
  expect(stored.coaching).toMatchObject([{ csr_id: org.csrA.id, assignee_id: org.supervisorA.id, status: 'open' }]);
  expect(stored.audit).toEqual([
    { action: 'evaluation.created', actor_id: org.supervisorA.id, entity_id: evaluation.id },
    { action: 'evaluation.submitted', actor_id: org.supervisorA.id, entity_id: evaluation.id },
  ]);
  expect(stored.call.evaluation_count).toBe(1);
});

test('a submit refused with 409 (a revision the new draft never had) leaves no draft, answers or audit entry', async () => {
  const call = await makeCall(ctx.deps, org.admin, org.csrA);
  const res = await sup.post('/api/v1/evaluations', {
    call_id: call.id,
    rubric_id: rubric.id,
    answers: workedExampleAnswers(rubric),
    submit: true,
    revision: 7,
  });
  expect(res.status).toBe(409);
  expect(res.body.error.code).toBe('stale_revision');
  expect(await everything(call.id)).toEqual({
    evaluations: [],
    answers: [],
    coaching: [],
    audit: [],
    call: { evaluation_count: 0 },
  });
});

test('a submit on the supervisor’s open draft submits that draft, its answers replaced by the submitted ones', async () => {
  const call = await makeCall(ctx.deps, org.admin, org.csrA);
  const [greet, name] = itemsOf(rubric);
  const draft = await sup.post('/api/v1/evaluations', {
    call_id: call.id,
    rubric_id: rubric.id,
    answers: [
      { item_id: greet.id, value: 'no', comment: 'first pass' },
      { item_id: name.id, value: 'yes' },
    ],
    submit: false,
    time_spent_s: 60,
  });
  expect(draft.status).toBe(201);
  const submitted = await sup.post('/api/v1/evaluations', {
    call_id: call.id,
    rubric_id: rubric.id,
    answers: workedExampleAnswers(rubric),
    submit: true,
    revision: draft.body.revision,
    time_spent_s: 30,
  });
  expect(submitted.status).toBe(201);
  expect(submitted.body).toMatchObject({ id: draft.body.id, status: 'released', time_spent_s: 90 });

  const stored = await everything(call.id);
  expect(stored.evaluations).toHaveLength(1);
  const byItem = new Map(stored.answers.map((a) => [a.item_id, a]));
  expect(byItem.size).toBe(4);
  expect(byItem.get(greet.id)).toMatchObject({ value: 'yes', comment: null });
  expect(byItem.get(name.id)).toMatchObject({ value: 'no' });
  expect(stored.audit.map((a) => a.action)).toEqual(['evaluation.created', 'evaluation.submitted']);
  expect(stored.coaching).toHaveLength(1);
  expect(stored.call.evaluation_count).toBe(1);
});
