import type { User } from '../../src/db/schema';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { saveSettings } from '../../src/settings/settings.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { postForm, signIn } from '../helpers/http';
import {
  api,
  itemNamed,
  itemsOf,
  makeCall,
  optionWorth,
  publishedRubric,
  rubricJson,
  scale,
  section,
  tokenFor,
  workedExampleAnswers,
  workedExampleRubric,
  yesNo,
  type AnswerJson,
  type Api,
} from '../helpers/scoring';

// A failing scorecard (below the pass mark, a section below its own threshold, or a critical fail) opens one
// coaching task for the CSR, kept in step with rescoring; the task then goes open → scheduled → completed →
// acknowledged.

let ctx: TestContext;
let org: Org;
let rubric: FullRubric;
let sectioned: FullRubric;
let critical: FullRubric;
let sup: Api;
let adminApi: Api;
let supB: Api;
let csr: Api;
let csr2: Api;

const DAY = 86_400_000;
const now = () => ctx.clock.now().toISOString();
const daysFromNow = (days: number) => new Date(ctx.clock.now().getTime() + days * DAY).toISOString();

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  rubric = await publishedRubric(ctx.deps, workedExampleRubric());
  sectioned = await publishedRubric(
    ctx.deps,
    rubricJson([
      section('Greeting', 1, [yesNo('Used the company greeting'), yesNo('Gave their own name')], 80),
      section('Policy', 3, [scale('Gave accurate information', 4), yesNo('Offered the prepaid label')]),
    ]),
  );
  critical = await publishedRubric(
    ctx.deps,
    rubricJson([
      section('Verification', 1, [yesNo('Verified the address before changes', { critical: true })]),
      section('Resolution', 1, [yesNo('Resolved the issue'), yesNo('Recapped next steps')]),
    ]),
  );
  sup = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  adminApi = api(ctx.app, await tokenFor(ctx.deps, org.admin));
  supB = api(ctx.app, await tokenFor(ctx.deps, org.supervisorB));
  csr = api(ctx.app, await tokenFor(ctx.deps, org.csrA));
  csr2 = api(ctx.app, await tokenFor(ctx.deps, org.csrA2));
});
afterAll(async () => ctx.close());

/** Yes, No, 1 of 4, the 2-point option: (50 × 1 + 33.3 × 3) ÷ 4 = 37.5%, a fail. */
function failingAnswers(): AnswerJson[] {
  const [greet, name, accurate, policy] = itemsOf(rubric);
  return [
    { item_id: greet.id, value: 'yes' },
    { item_id: name.id, value: 'no' },
    { item_id: accurate.id, value: 1 },
    { item_id: policy.id, value: optionWorth(policy, 2) },
  ];
}

function fullMarks(): AnswerJson[] {
  const [greet, name, accurate, policy] = itemsOf(rubric);
  return [
    { item_id: greet.id, value: 'yes' },
    { item_id: name.id, value: 'yes' },
    { item_id: accurate.id, value: 4 },
    { item_id: policy.id, value: optionWorth(policy, 5) },
  ];
}

async function submit(
  answers: AnswerJson[],
  opts: { client?: Api; rubricId?: number; agent?: User; submit?: boolean } = {},
) {
  const call = await makeCall(ctx.deps, org.admin, opts.agent ?? org.csrA);
  const res = await (opts.client ?? sup).post('/api/v1/evaluations', {
    call_id: call.id,
    rubric_id: opts.rubricId ?? rubric.id,
    answers,
    submit: opts.submit ?? true,
  });
  expect(res.status).toBe(201);
  return res.body as { id: number; score: number; passed: boolean; coaching_task_id: number | null; revision: number };
}

async function tasksOf(evaluationId: number) {
  return ctx.deps.db.selectFrom('coaching_tasks').selectAll().where('evaluation_id', '=', evaluationId).execute();
}

async function rescore(evaluationId: number, answers: AnswerJson[], reason: string) {
  const page = await signIn(ctx.app, org.supervisorA.username);
  const current = await ctx.deps.db
    .selectFrom('evaluations')
    .select('revision')
    .where('id', '=', evaluationId)
    .executeTakeFirstOrThrow();
  const res = await postForm(page, `/evaluations/${evaluationId}/rescore`, {
    ...Object.fromEntries(answers.map((a) => [`a_${a.item_id}`, String(a.value)])),
    reason,
    revision: String(current.revision),
    op: 'rescore',
  });
  expect(res.status).toBe(303);
}

describe('a failing submit opens one coaching task', () => {
  test('below the pass mark: one open task for the CSR, assigned to their supervisor, due in 7 days, failed items as focus', async () => {
    const evaluation = await submit(failingAnswers());
    expect(evaluation.passed).toBe(false);
    expect(evaluation.score).toBe(37.5);
    const tasks = await tasksOf(evaluation.id);
    expect(tasks).toHaveLength(1);
    const [task] = tasks;
    expect(evaluation.coaching_task_id).toBe(task.id);
    expect(task).toMatchObject({
      csr_id: org.csrA.id,
      assignee_id: org.supervisorA.id,
      team_id: org.teamA,
      status: 'open',
      created_at: now(),
      due_at: daysFromNow(7),
    });
    const [, name, accurate, policy] = itemsOf(rubric);
    expect(JSON.parse(task.focus)).toEqual([
      { item_id: name.id, section: 'Greeting', prompt: name.prompt, critical: false },
      { item_id: accurate.id, section: 'Policy', prompt: accurate.prompt, critical: false },
      { item_id: policy.id, section: 'Policy', prompt: policy.prompt, critical: false },
    ]);
    const shown = await sup.get(`/api/v1/coaching-tasks/${task.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ id: task.id, status: 'open', overdue: false, evaluation_id: evaluation.id });
  });

  test("scored by an admin, the task still goes to the CSR's supervisor", async () => {
    const evaluation = await submit(failingAnswers(), { client: adminApi });
    const [task] = await tasksOf(evaluation.id);
    expect(task.assignee_id).toBe(org.supervisorA.id);
    expect(task.created_by).toBe(org.admin.id);
  });

  test('a section below its own threshold opens a task even though the overall score passes, naming the section', async () => {
    const [greet, name, accurate, label] = itemsOf(sectioned);
    const evaluation = await submit(
      [
        { item_id: greet.id, value: 'yes' },
        { item_id: name.id, value: 'no' },
        { item_id: accurate.id, value: 4 },
        { item_id: label.id, value: 'yes' },
      ],
      { rubricId: sectioned.id },
    );
    expect(evaluation.score).toBe(87.5);
    expect(evaluation.passed).toBe(false);
    const [task] = await tasksOf(evaluation.id);
    expect(evaluation.coaching_task_id).toBe(task.id);
    expect(JSON.parse(task.focus)).toEqual([
      { item_id: null, section: 'Greeting', prompt: 'Section below its 80% threshold', critical: false },
      { item_id: name.id, section: 'Greeting', prompt: name.prompt, critical: false },
    ]);
  });

  test('a critical fail opens a task with the critical item flagged', async () => {
    const verify = itemNamed(critical, 'Verified the address before changes');
    const [, resolved, recap] = itemsOf(critical);
    const evaluation = await submit(
      [
        { item_id: verify.id, value: 'no' },
        { item_id: resolved.id, value: 'yes' },
        { item_id: recap.id, value: 'yes' },
      ],
      { rubricId: critical.id },
    );
    expect(evaluation.score).toBe(0);
    const [task] = await tasksOf(evaluation.id);
    expect(evaluation.coaching_task_id).toBe(task.id);
    expect(JSON.parse(task.focus)).toEqual([
      { item_id: verify.id, section: 'Verification', prompt: verify.prompt, critical: true },
    ]);
  });

  test('a pass opens no task and the API answer says so', async () => {
    const evaluation = await submit(workedExampleAnswers(rubric));
    expect(evaluation.passed).toBe(true);
    expect(evaluation.coaching_task_id).toBeNull();
    expect(await tasksOf(evaluation.id)).toHaveLength(0);
  });

  test('saving a failing draft opens no task until it is submitted', async () => {
    const draft = await submit(failingAnswers(), { submit: false });
    expect(draft.coaching_task_id).toBeNull();
    expect(await tasksOf(draft.id)).toHaveLength(0);
  });

  test('the due date follows the coaching_due_days setting', async () => {
    const admin = { id: org.admin.id, role: 'admin' as const };
    await saveSettings(ctx.deps, admin, { coaching_due_days: 3 });
    try {
      const evaluation = await submit(failingAnswers());
      expect((await tasksOf(evaluation.id))[0].due_at).toBe(daysFromNow(3));
    } finally {
      await saveSettings(ctx.deps, admin, { coaching_due_days: 7 });
    }
  });
});

describe('no duplicates, and the task follows rescoring', () => {
  test('submitting again is refused and still leaves exactly one task', async () => {
    const evaluation = await submit(failingAnswers());
    const page = await signIn(ctx.app, org.supervisorA.username);
    const again = await postForm(page, `/evaluations/${evaluation.id}/score`, {
      ...Object.fromEntries(failingAnswers().map((a) => [`a_${a.item_id}`, String(a.value)])),
      revision: String(evaluation.revision),
      op: 'submit',
    });
    // Already submitted: the form goes back to the scorecard instead of submitting a second time.
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(`/evaluations/${evaluation.id}`);
    expect(await tasksOf(evaluation.id)).toHaveLength(1);
  });

  test('rescoring to another fail keeps the one task and updates its focus', async () => {
    const evaluation = await submit(failingAnswers());
    const [before] = await tasksOf(evaluation.id);
    const [greet, name, accurate, policy] = itemsOf(rubric);
    await rescore(
      evaluation.id,
      [
        { item_id: greet.id, value: 'no' },
        { item_id: name.id, value: 'yes' },
        { item_id: accurate.id, value: 1 },
        { item_id: policy.id, value: optionWorth(policy, 2) },
      ],
      'Greeting was missed, name was given',
    );
    const tasks = await tasksOf(evaluation.id);
    expect(tasks).toHaveLength(1);
    expect(tasks[0].id).toBe(before.id);
    expect(tasks[0].status).toBe('open');
    expect(JSON.parse(tasks[0].focus).map((f: { item_id: number }) => f.item_id)).toEqual([
      greet.id,
      accurate.id,
      policy.id,
    ]);
  });

  test('rescoring to a pass cancels the open task with a note; rescoring back to a fail reopens the same task', async () => {
    const evaluation = await submit(failingAnswers());
    const [task] = await tasksOf(evaluation.id);
    ctx.clock.advance(DAY);
    await rescore(evaluation.id, fullMarks(), 'Second listen: everything was right');
    const [cancelled] = await tasksOf(evaluation.id);
    expect(cancelled).toMatchObject({ id: task.id, status: 'cancelled', cancelled_at: now() });
    expect(cancelled.cancel_note).toMatch(/rescored to a pass/);
    const hidden = await csr.get('/api/v1/coaching-tasks?status=open');
    expect(hidden.body.items.map((t: { id: number }) => t.id)).not.toContain(task.id);

    ctx.clock.advance(DAY);
    await rescore(evaluation.id, failingAnswers(), 'Calibration: the policy answer was wrong after all');
    const tasks = await tasksOf(evaluation.id);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({
      id: task.id,
      status: 'open',
      cancelled_at: null,
      cancel_note: null,
      due_at: daysFromNow(7),
    });
  });

  test('a rescore after the coaching session was completed leaves the completed task alone', async () => {
    const evaluation = await submit(failingAnswers());
    const [task] = await tasksOf(evaluation.id);
    expect(
      (await sup.patch(`/api/v1/coaching-tasks/${task.id}`, { action: 'complete', notes: 'Covered it' })).status,
    ).toBe(200);
    await rescore(evaluation.id, fullMarks(), 'Upheld on review');
    const [after] = await tasksOf(evaluation.id);
    expect(after).toMatchObject({ id: task.id, status: 'completed', cancel_note: null });
  });
});

describe('PATCH /api/v1/coaching-tasks/:id', () => {
  async function openTask(): Promise<number> {
    const evaluation = await submit(failingAnswers());
    return evaluation.coaching_task_id!;
  }

  test('schedule → complete (with notes) → acknowledged by the CSR', async () => {
    const id = await openTask();
    const scheduled = await sup.patch(`/api/v1/coaching-tasks/${id}`, {
      action: 'schedule',
      scheduled_at: '2026-11-25T14:00:00+01:00',
    });
    expect(scheduled.status).toBe(200);
    expect(scheduled.body).toMatchObject({ status: 'scheduled', scheduled_at: '2026-11-25T13:00:00.000Z' });

    const completed = await sup.patch(`/api/v1/coaching-tasks/${id}`, {
      action: 'complete',
      notes: 'Walked through the greeting script',
    });
    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({ status: 'completed', completed_at: now() });
    const stored = await ctx.deps.db
      .selectFrom('coaching_tasks')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.notes).toBe('Walked through the greeting script');

    const acknowledged = await csr.patch(`/api/v1/coaching-tasks/${id}`, { action: 'acknowledge' });
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.body).toMatchObject({ status: 'acknowledged', acknowledged_at: now() });

    const audit = await ctx.deps.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id'])
      .where('entity_type', '=', 'coaching_task')
      .where('entity_id', '=', id)
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { action: 'coaching.schedule', actor_id: org.supervisorA.id },
      { action: 'coaching.complete', actor_id: org.supervisorA.id },
      { action: 'coaching.acknowledge', actor_id: org.csrA.id },
    ]);
  });

  test('a task can be completed straight from open', async () => {
    const id = await openTask();
    const res = await sup.patch(`/api/v1/coaching-tasks/${id}`, { action: 'complete', notes: 'Quick chat' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('completed');
  });

  test('completing without notes is 422 pointing at notes, and the task stays as it was', async () => {
    const id = await openTask();
    for (const body of [{ action: 'complete' }, { action: 'complete', notes: '   ' }]) {
      const res = await sup.patch(`/api/v1/coaching-tasks/${id}`, body);
      expect(res.status).toBe(422);
      expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'notes' })]);
    }
    const task = await ctx.deps.db
      .selectFrom('coaching_tasks')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(task.status).toBe('open');
    expect(task.notes).toBeNull();
  });

  test('scheduling needs a real date and time', async () => {
    const id = await openTask();
    const res = await sup.patch(`/api/v1/coaching-tasks/${id}`, { action: 'schedule', scheduled_at: 'next tuesday' });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].path).toBe('scheduled_at');
  });

  test('an unknown action is 422', async () => {
    const id = await openTask();
    const res = await sup.patch(`/api/v1/coaching-tasks/${id}`, { action: 'delete' });
    expect(res.status).toBe(422);
  });

  test('the CSR may neither schedule nor complete (403); staff may not acknowledge for the CSR (403)', async () => {
    const id = await openTask();
    expect(
      (await csr.patch(`/api/v1/coaching-tasks/${id}`, { action: 'schedule', scheduled_at: '2026-11-25T14:00:00Z' }))
        .status,
    ).toBe(403);
    expect((await csr.patch(`/api/v1/coaching-tasks/${id}`, { action: 'complete', notes: 'done' })).status).toBe(403);
    await sup.patch(`/api/v1/coaching-tasks/${id}`, { action: 'complete', notes: 'Covered it' });
    expect((await sup.patch(`/api/v1/coaching-tasks/${id}`, { action: 'acknowledge' })).status).toBe(403);
    expect((await adminApi.patch(`/api/v1/coaching-tasks/${id}`, { action: 'acknowledge' })).status).toBe(403);
    const task = await ctx.deps.db
      .selectFrom('coaching_tasks')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(task.status).toBe('completed');
  });

  test('another CSR and a supervisor of another team get 404', async () => {
    const id = await openTask();
    expect((await csr2.patch(`/api/v1/coaching-tasks/${id}`, { action: 'acknowledge' })).status).toBe(404);
    expect((await csr2.get(`/api/v1/coaching-tasks/${id}`)).status).toBe(404);
    expect((await supB.patch(`/api/v1/coaching-tasks/${id}`, { action: 'complete', notes: 'x' })).status).toBe(404);
    expect((await supB.get(`/api/v1/coaching-tasks/${id}`)).status).toBe(404);
  });

  test('wrong states are 409: acknowledging before completion, completing or scheduling after it, acknowledging twice', async () => {
    const id = await openTask();
    const early = await csr.patch(`/api/v1/coaching-tasks/${id}`, { action: 'acknowledge' });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('wrong_state');
    await sup.patch(`/api/v1/coaching-tasks/${id}`, { action: 'complete', notes: 'Covered it' });
    expect((await sup.patch(`/api/v1/coaching-tasks/${id}`, { action: 'complete', notes: 'Again' })).status).toBe(409);
    expect(
      (await sup.patch(`/api/v1/coaching-tasks/${id}`, { action: 'schedule', scheduled_at: '2026-11-30T09:00:00Z' }))
        .status,
    ).toBe(409);
    expect((await csr.patch(`/api/v1/coaching-tasks/${id}`, { action: 'acknowledge' })).status).toBe(200);
    expect((await csr.patch(`/api/v1/coaching-tasks/${id}`, { action: 'acknowledge' })).status).toBe(409);
    const task = await ctx.deps.db
      .selectFrom('coaching_tasks')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(task.notes).toBe('Covered it');
  });

  test('a cancelled task cannot be scheduled or completed (409)', async () => {
    const evaluation = await submit(failingAnswers());
    await rescore(evaluation.id, fullMarks(), 'Passed after review');
    const id = evaluation.coaching_task_id!;
    expect((await sup.patch(`/api/v1/coaching-tasks/${id}`, { action: 'complete', notes: 'x' })).status).toBe(409);
  });
});

// Last: moves the clock past due dates.
describe('overdue', () => {
  test('an open task past its due date is overdue; a completed one is not', async () => {
    const open = (await submit(failingAnswers())).coaching_task_id!;
    const done = (await submit(failingAnswers())).coaching_task_id!;
    await sup.patch(`/api/v1/coaching-tasks/${done}`, { action: 'complete', notes: 'On time' });
    expect((await sup.get(`/api/v1/coaching-tasks/${open}`)).body.overdue).toBe(false);
    ctx.clock.advance(7 * DAY + 60_000);
    expect((await sup.get(`/api/v1/coaching-tasks/${open}`)).body.overdue).toBe(true);
    expect((await sup.get(`/api/v1/coaching-tasks/${done}`)).body.overdue).toBe(false);
    const overdue = await sup.get('/api/v1/coaching-tasks?overdue=true&limit=500');
    const ids = overdue.body.items.map((t: { id: number }) => t.id);
    expect(ids).toContain(open);
    expect(ids).not.toContain(done);
  });
});
