import type { User } from '../../src/db/schema';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { publishRubric, startNewVersion } from '../../src/rubrics/rubrics.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { postForm, signIn, type Agent } from '../helpers/http';
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
import { auditActions, dateIn, fieldError, flashes, submitScorecard, textOf } from '../helpers/training';

// The coaching pages: the forms that move a task along (and refuse what is not allowed), who sees which task,
// tasks opened by hand, "needs re-coaching", and the follow-up score after a session. The JSON API's transitions
// are covered in test/evaluations/coaching.test.ts.

let ctx: TestContext;
let org: Org;
let rubric: FullRubric;
let supApi: Api;
let adminApi: Api;
let csrApi: Api;
let pages: Record<'supA' | 'supB' | 'otherSup' | 'manager' | 'otherManager' | 'admin' | 'csr' | 'csr2', Agent>;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  rubric = await publishedRubric(ctx.deps, workedExampleRubric());
  supApi = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  adminApi = api(ctx.app, await tokenFor(ctx.deps, org.admin));
  csrApi = api(ctx.app, await tokenFor(ctx.deps, org.csrA));
  pages = {
    supA: await signIn(ctx.app, org.supervisorA.username),
    supB: await signIn(ctx.app, org.supervisorB.username),
    otherSup: await signIn(ctx.app, org.otherSupervisor.username),
    manager: await signIn(ctx.app, org.manager.username),
    otherManager: await signIn(ctx.app, org.otherManager.username),
    admin: await signIn(ctx.app, org.admin.username),
    csr: await signIn(ctx.app, org.csrA.username),
    csr2: await signIn(ctx.app, org.csrA2.username),
  };
});
afterAll(async () => ctx.close());

/** Yes, No, 1 of 4, the 2-point option: 37.5%, a fail. */
function failing(r: FullRubric): AnswerJson[] {
  const [greet, name, accurate, policy] = itemsOf(r);
  return [
    { item_id: greet.id, value: 'yes' },
    { item_id: name.id, value: 'no' },
    { item_id: accurate.id, value: 1 },
    { item_id: policy.id, value: optionWorth(policy, 2) },
  ];
}

/** Everything right: 100%. */
function fullMarks(r: FullRubric): AnswerJson[] {
  const [greet, name, accurate, policy] = itemsOf(r);
  return [
    { item_id: greet.id, value: 'yes' },
    { item_id: name.id, value: 'yes' },
    { item_id: accurate.id, value: 4 },
    { item_id: policy.id, value: optionWorth(policy, 5) },
  ];
}

/** Everything wrong: 0%. */
function nothingRight(r: FullRubric): AnswerJson[] {
  const [greet, name, accurate, policy] = itemsOf(r);
  return [
    { item_id: greet.id, value: 'no' },
    { item_id: name.id, value: 'no' },
    { item_id: accurate.id, value: 0 },
    { item_id: policy.id, value: optionWorth(policy, 0) },
  ];
}

let focusSerial = 0;

/** A task opened by hand on the page by the CSR's supervisor; returns its id. */
async function manualTask(csr: User = org.csrA, by: Agent = pages.supA, dueDays = 7): Promise<number> {
  focusSerial += 1;
  const res = await postForm(
    by,
    '/coaching',
    { csr_id: String(csr.id), focus: `Focus number ${focusSerial}`, due_at: dateIn(ctx.clock, dueDays) },
    '/coaching/new',
  );
  expect(res.status).toBe(303);
  return Number(/\/coaching\/(\d+)$/.exec(res.headers.location)![1]);
}

async function task(id: number) {
  return ctx.deps.db.selectFrom('coaching_tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function rescoreToPass(evaluationId: number, r: FullRubric) {
  const { revision } = await ctx.deps.db
    .selectFrom('evaluations')
    .select('revision')
    .where('id', '=', evaluationId)
    .executeTakeFirstOrThrow();
  const res = await postForm(pages.supA, `/evaluations/${evaluationId}/rescore`, {
    ...Object.fromEntries(fullMarks(r).map((a) => [`a_${a.item_id}`, String(a.value)])),
    reason: 'Second listen: all correct',
    revision: String(revision),
    op: 'rescore',
  });
  expect(res.status).toBe(303);
}

type State = 'open' | 'scheduled' | 'completed' | 'acknowledged' | 'cancelled';

/** A task of csrA (team A) brought into the state through the real flows. */
async function taskIn(state: State): Promise<number> {
  if (state === 'cancelled') {
    const scorecard = await submitScorecard(ctx.deps, org.admin, supApi, org.csrA, rubric.id, failing(rubric));
    await rescoreToPass(scorecard.id, rubric);
    return scorecard.coaching_task_id!;
  }
  const id = await manualTask();
  if (state === 'scheduled')
    await supApi.patch(`/api/v1/coaching-tasks/${id}`, { action: 'schedule', scheduled_at: '2026-11-30T10:00:00Z' });
  if (state === 'completed' || state === 'acknowledged')
    await supApi.patch(`/api/v1/coaching-tasks/${id}`, { action: 'complete', notes: 'Covered the basics' });
  if (state === 'acknowledged') await csrApi.patch(`/api/v1/coaching-tasks/${id}`, { action: 'acknowledge' });
  expect((await task(id)).status).toBe(state);
  return id;
}

describe('moving a task along on its page', () => {
  test('schedule (a UTC date and time) → record the session → the CSR acknowledges', async () => {
    const id = await manualTask();
    const scheduled = await postForm(
      pages.supA,
      `/coaching/${id}/schedule`,
      { scheduled_at: '2026-11-25T14:30' },
      `/coaching/${id}`,
    );
    expect(scheduled.status).toBe(303);
    expect(scheduled.headers.location).toBe(`/coaching/${id}`);
    expect(await task(id)).toMatchObject({ status: 'scheduled', scheduled_at: '2026-11-25T14:30:00.000Z' });
    let page = await pages.supA.get(`/coaching/${id}`);
    expect(flashes(page.text)).toContainEqual({ kind: 'success', message: 'Session scheduled.' });
    expect(textOf(page.text)).toContain('Session 2026-11-25 14:30 UTC');

    await postForm(
      pages.supA,
      `/coaching/${id}/complete`,
      { notes: 'Practised the greeting', actions: 'Use the script for a week' },
      `/coaching/${id}`,
    );
    expect(await task(id)).toMatchObject({
      status: 'completed',
      notes: 'Practised the greeting',
      actions: 'Use the script for a week',
      completed_at: ctx.clock.now().toISOString(),
    });

    page = await pages.csr.get(`/coaching/${id}`);
    expect(page.text).toContain(`action="/coaching/${id}/acknowledge"`);
    expect(textOf(page.text)).toContain('Agreed actions Use the script for a week');
    const ack = await postForm(pages.csr, `/coaching/${id}/acknowledge`, {}, `/coaching/${id}`);
    expect(ack.status).toBe(303);
    expect(await task(id)).toMatchObject({ status: 'acknowledged', acknowledged_at: ctx.clock.now().toISOString() });
    page = await pages.supA.get(`/coaching/${id}`);
    expect(textOf(page.text)).toContain(`Acknowledged by ${org.csrA.display_name}`);
    expect(await auditActions(ctx.deps.db, 'coaching_task', id)).toEqual([
      'coaching.created',
      'coaching.schedule',
      'coaching.complete',
      'coaching.acknowledge',
    ]);
  });

  // who × state × action → status; a refusal changes nothing.
  const refusals: Array<[keyof typeof pages, State, 'schedule' | 'complete' | 'acknowledge', number, string]> = [
    ['csr', 'open', 'complete', 403, ''],
    ['csr', 'open', 'schedule', 403, ''],
    ['supA', 'completed', 'acknowledge', 403, ''],
    ['manager', 'completed', 'acknowledge', 403, ''],
    ['admin', 'completed', 'acknowledge', 403, ''],
    ['supA', 'cancelled', 'complete', 409, 'This task is cancelled.'],
    ['supA', 'cancelled', 'schedule', 409, 'This task is cancelled.'],
    ['supA', 'acknowledged', 'complete', 409, 'This task is acknowledged.'],
    ['csr', 'open', 'acknowledge', 409, 'Only a completed coaching session can be acknowledged.'],
    ['csr', 'scheduled', 'acknowledge', 409, 'Only a completed coaching session can be acknowledged.'],
    ['csr', 'acknowledged', 'acknowledge', 409, 'Only a completed coaching session can be acknowledged.'],
    ['supB', 'open', 'complete', 404, ''],
    ['otherManager', 'open', 'schedule', 404, ''],
    ['csr2', 'completed', 'acknowledge', 404, ''],
  ];

  test.each(refusals)('%s: %s task, %s → %i', async (who, state, action, status, message) => {
    const id = await taskIn(state);
    const before = await task(id);
    const fields =
      action === 'complete'
        ? { notes: 'Tried anyway' }
        : action === 'schedule'
          ? { scheduled_at: '2026-12-01T09:00' }
          : {};
    const res = await postForm(pages[who], `/coaching/${id}/${action}`, fields);
    expect(res.status).toBe(status);
    if (message) expect(flashes(res.text)).toContainEqual({ kind: 'error', message });
    expect(await task(id)).toEqual(before);
  });

  test('recording a session without notes: 422 with the message beside the notes, still open', async () => {
    const id = await manualTask();
    const res = await postForm(pages.supA, `/coaching/${id}/complete`, { notes: '  ' });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'notes')).toBe('Write what was covered.');
    expect((await task(id)).status).toBe('open');
  });
});

describe('a session time within reason: at most a day in the past, at most a year ahead', () => {
  const DAY_MS = 86_400_000;
  /** The clock's time moved by `ms`, as the form's datetime-local field sends it (UTC, to the minute). */
  const formTime = (ms: number) => new Date(ctx.clock.now().getTime() + ms).toISOString().slice(0, 16);
  const PAST = 'The session time is more than a day in the past; pick a later time.';
  const AHEAD = 'The session time is more than a year ahead; pick an earlier time.';

  // A time as text, or as milliseconds from the clock's now.
  test.each<[string | number, string]>([
    ['1900-01-01T00:00', PAST],
    [-DAY_MS - 60_000, PAST],
    [366 * DAY_MS, AHEAD],
    ['2999-01-01T09:00', AHEAD],
  ])('the form: %s is 422 with the message beside the field, nothing stored', async (when, message) => {
    const id = await manualTask();
    const before = await task(id);
    const scheduledAt = typeof when === 'number' ? formTime(when) : when;
    const res = await postForm(pages.supA, `/coaching/${id}/schedule`, { scheduled_at: scheduledAt });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'scheduled_at')).toBe(message);
    expect(await task(id)).toEqual(before);
  });

  test.each([
    ['yesterday, less than a day ago', -DAY_MS + 120_000],
    ['in an hour', 3_600_000],
    ['in 364 days', 364 * DAY_MS],
  ])('the form: %s is accepted', async (_when, offset) => {
    const id = await manualTask();
    const res = await postForm(pages.supA, `/coaching/${id}/schedule`, { scheduled_at: formTime(offset) });
    expect(res.status).toBe(303);
    expect(await task(id)).toMatchObject({ status: 'scheduled', scheduled_at: `${formTime(offset)}:00.000Z` });
  });

  test.each([
    ['1900-01-01T00:00:00Z', PAST],
    ['2999-01-01T09:00:00+02:00', AHEAD],
  ])('PATCH /api/v1/coaching-tasks/:id schedule %s → 422 naming scheduled_at', async (scheduledAt, message) => {
    const id = await manualTask();
    const res = await supApi.patch(`/api/v1/coaching-tasks/${id}`, { action: 'schedule', scheduled_at: scheduledAt });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([{ path: 'scheduled_at', message }]);
    expect((await task(id)).status).toBe('open');
  });
});

describe('who sees a coaching task', () => {
  let id: number;

  beforeAll(async () => {
    id = await manualTask();
  });

  test.each([
    ['supA', 200],
    ['manager', 200],
    ['admin', 200],
    ['csr', 200],
    ['supB', 404],
    ['otherSup', 404],
    ['otherManager', 404],
    ['csr2', 404],
  ] as const)('%s opening the page → %i', async (who, status) => {
    const res = await pages[who].get(`/coaching/${id}`);
    expect(res.status).toBe(status);
    if (status === 404) expect(res.text).not.toContain(org.csrA.display_name);
  });

  test.each([
    ['supervisorB', 404],
    ['otherSupervisor', 404],
    ['otherManager', 404],
    ['csrA2', 404],
    ['manager', 200],
  ] as const)('%s reading it through the API → %i', async (who, status) => {
    const client = api(ctx.app, await tokenFor(ctx.deps, org[who]));
    expect((await client.get(`/api/v1/coaching-tasks/${id}`)).status).toBe(status);
  });

  test('lists show a task only to those who may open it', async () => {
    const link = `href="/coaching/${id}"`;
    expect((await pages.supA.get('/coaching')).text).toContain(link);
    expect((await pages.manager.get('/coaching')).text).toContain(link);
    expect((await pages.csr.get('/coaching')).text).toContain(link);
    expect((await pages.supB.get('/coaching')).text).not.toContain(link);
    expect((await pages.otherManager.get('/coaching')).text).not.toContain(link);
    expect((await pages.csr2.get('/coaching')).text).not.toContain(link);
    const other = api(ctx.app, await tokenFor(ctx.deps, org.otherSupervisor));
    const listed = await other.get('/api/v1/coaching-tasks?limit=500');
    expect(listed.body.items.map((t: { id: number }) => t.id)).not.toContain(id);
  });

  test("a CSR's list shows only their own tasks and no CSR column", async () => {
    const theirs = await manualTask(org.csrA2);
    const page = await pages.csr2.get('/coaching');
    expect(page.text).toContain(`href="/coaching/${theirs}"`);
    expect(page.text).not.toContain(`href="/coaching/${id}"`);
    expect(page.text).not.toContain('<th scope="col">CSR</th>');
  });
});

describe('a task opened by hand about a scorecard the CSR cannot see yet', () => {
  test('does not reveal that scorecard to the CSR until it is released', async () => {
    const held = await publishedRubric(ctx.deps, workedExampleRubric({ name: 'Silent', release_mode: 'manual' }));
    const scorecard = await submitScorecard(ctx.deps, org.admin, supApi, org.csrA, held.id, workedExampleAnswers(held));
    const res = await postForm(
      pages.supA,
      '/coaching',
      {
        csr_id: String(org.csrA.id),
        focus: 'Follow up on a monitored call',
        due_at: dateIn(ctx.clock, 7),
        evaluation_id: String(scorecard.id),
      },
      '/coaching/new',
    );
    expect(res.status).toBe(303);
    const id = Number(/\/coaching\/(\d+)$/.exec(res.headers.location)![1]);
    const leaks = `"evaluation_id":${scorecard.id}`;

    const listed = await csrApi.get('/api/v1/coaching-tasks?limit=500');
    expect(JSON.stringify(listed.body)).not.toContain(leaks);
    const single = await csrApi.get(`/api/v1/coaching-tasks/${id}`);
    expect(single.status === 404 || !JSON.stringify(single.body).includes(leaks)).toBe(true);

    // Once released, the CSR may see the task and where it came from.
    expect((await supApi.post(`/api/v1/evaluations/${scorecard.id}/release`)).status).toBe(200);
    expect((await csrApi.get(`/api/v1/coaching-tasks/${id}`)).status).toBe(200);
  });
});

describe('opening a task by hand', () => {
  test('the supervisor opens one for a CSR of their team: open, assigned to them, due at the end of the day', async () => {
    const due = dateIn(ctx.clock, 10);
    const res = await postForm(
      pages.supA,
      '/coaching',
      { csr_id: String(org.csrA2.id), focus: 'Confirm the address before changes', due_at: due },
      '/coaching/new',
    );
    expect(res.status).toBe(303);
    const id = Number(/\/coaching\/(\d+)$/.exec(res.headers.location)![1]);
    const stored = await task(id);
    expect(stored).toMatchObject({
      csr_id: org.csrA2.id,
      assignee_id: org.supervisorA.id,
      team_id: org.teamA,
      evaluation_id: null,
      status: 'open',
      due_at: `${due}T23:59:59.999Z`,
    });
    expect(JSON.parse(stored.focus)[0].prompt).toBe('Confirm the address before changes');
  });

  async function countTasks(): Promise<number> {
    const row = await ctx.deps.db
      .selectFrom('coaching_tasks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  test.each<[string, () => Record<string, string>, string, string]>([
    [
      'a due date in the past',
      () => ({ csr_id: String(org.csrA.id), focus: 'Something to work on', due_at: dateIn(ctx.clock, -1) }),
      'due_at',
      'The due date is in the past.',
    ],
    [
      'a due date not on the calendar',
      () => ({ csr_id: String(org.csrA.id), focus: 'Something to work on', due_at: '2027-02-30' }),
      'due_at',
      'That date does not exist.',
    ],
    [
      'a CSR of another team',
      () => ({ csr_id: String(org.csrB.id), focus: 'Something to work on', due_at: dateIn(ctx.clock, 3) }),
      'csr_id',
      'Choose a CSR of your teams.',
    ],
    [
      'a focus too short to mean anything',
      () => ({ csr_id: String(org.csrA.id), focus: 'x', due_at: dateIn(ctx.clock, 3) }),
      'focus',
      'Say what to work on.',
    ],
  ])('%s: 422 with the message beside the field, nothing written', async (_name, fields, field, message) => {
    const before = await countTasks();
    const res = await postForm(pages.supA, '/coaching', fields(), '/coaching/new');
    expect(res.status).toBe(422);
    expect(fieldError(res.text, field)).toBe(message);
    expect(await countTasks()).toBe(before);
  });

  test('due today is still allowed (the due date is the end of that day)', async () => {
    const res = await postForm(
      pages.supA,
      '/coaching',
      { csr_id: String(org.csrA.id), focus: 'Same-day refresher', due_at: dateIn(ctx.clock, 0) },
      '/coaching/new',
    );
    expect(res.status).toBe(303);
  });

  test('a CSR may not open coaching tasks (403)', async () => {
    expect((await pages.csr.get('/coaching/new')).status).toBe(403);
    const res = await postForm(pages.csr, '/coaching', {
      csr_id: String(org.csrA.id),
      focus: 'Coach myself',
      due_at: dateIn(ctx.clock, 3),
    });
    expect(res.status).toBe(403);
  });
});

describe('needs re-coaching', () => {
  async function children(id: number) {
    return ctx.deps.db.selectFrom('coaching_tasks').selectAll().where('parent_task_id', '=', id).execute();
  }

  test('a completed task opens one linked follow-up task; asking again is 409 and opens nothing', async () => {
    const id = await taskIn('completed');
    const parentFocus = JSON.parse((await task(id)).focus)[0].prompt as string;
    const res = await postForm(
      pages.supA,
      `/coaching/${id}/recoach`,
      { due_at: dateIn(ctx.clock, 14) },
      `/coaching/${id}`,
    );
    expect(res.status).toBe(303);
    const [child] = await children(id);
    expect(res.headers.location).toBe(`/coaching/${child.id}`);
    expect(child).toMatchObject({ csr_id: org.csrA.id, status: 'open', assignee_id: org.supervisorA.id });
    expect(JSON.parse(child.focus)[0].prompt).toBe(`Re-coaching: ${parentFocus}`);
    expect(await auditActions(ctx.deps.db, 'coaching_task', child.id)).toEqual(['coaching.recoach']);
    expect(textOf((await pages.supA.get(`/coaching/${id}`)).text)).toContain(`Re-coaching: task #${child.id} (open)`);
    expect((await pages.supA.get(`/coaching/${child.id}`)).text).toContain(`href="/coaching/${id}"`);

    const again = await postForm(pages.supA, `/coaching/${id}/recoach`, { due_at: dateIn(ctx.clock, 14) });
    expect(again.status).toBe(409);
    expect(flashes(again.text)).toContainEqual({
      kind: 'error',
      message: 'Re-coaching was already opened for this task.',
    });
    expect(await children(id)).toHaveLength(1);
  });

  test('an acknowledged task can be re-coached too', async () => {
    const id = await taskIn('acknowledged');
    const res = await postForm(pages.supA, `/coaching/${id}/recoach`, { due_at: dateIn(ctx.clock, 14) });
    expect(res.status).toBe(303);
    expect(await children(id)).toHaveLength(1);
  });

  test.each<[State, number, string]>([
    ['open', 409, 'Only a completed coaching task can be marked as needing re-coaching.'],
    ['cancelled', 409, 'Only a completed coaching task can be marked as needing re-coaching.'],
  ])('a %s task cannot be re-coached (%i)', async (state, status, message) => {
    const id = await taskIn(state);
    const res = await postForm(pages.supA, `/coaching/${id}/recoach`, { due_at: dateIn(ctx.clock, 14) });
    expect(res.status).toBe(status);
    expect(flashes(res.text)).toContainEqual({ kind: 'error', message });
    expect(await children(id)).toEqual([]);
  });

  test('a due date in the past is 422 and opens nothing', async () => {
    const id = await taskIn('completed');
    const res = await postForm(pages.supA, `/coaching/${id}/recoach`, { due_at: dateIn(ctx.clock, -2) });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'due_at')).toBe('The due date is in the past.');
    expect(await children(id)).toEqual([]);
  });

  test('neither the CSR (403) nor a supervisor of another team (404) can ask for re-coaching', async () => {
    const id = await taskIn('completed');
    expect((await postForm(pages.csr, `/coaching/${id}/recoach`, { due_at: dateIn(ctx.clock, 14) })).status).toBe(403);
    expect((await postForm(pages.supB, `/coaching/${id}/recoach`, { due_at: dateIn(ctx.clock, 14) })).status).toBe(404);
    expect(await children(id)).toEqual([]);
  });
});

describe('did it stick? average over calls made after the session minus calls made before (by call time)', () => {
  let held: FullRubric;
  let serial = 0;

  beforeEach(async () => {
    // A rubric of its own per test, so each test's averages hold only its own scorecards. Released by hand,
    // so a scorecard can exist that the CSR does not see yet.
    held = await publishedRubric(
      ctx.deps,
      workedExampleRubric({ name: `Held back ${++serial}`, release_mode: 'manual' }),
    );
  });

  async function release(evaluationId: number) {
    expect((await supApi.post(`/api/v1/evaluations/${evaluationId}/release`)).status).toBe(200);
  }

  /** Scores a call made at `startedAt` (an ISO instant) for the CSR, submitted now. */
  async function scoreCallMadeAt(startedAt: string, answers: AnswerJson[], on = held, agent = org.csrA) {
    const call = await makeCall(ctx.deps, org.admin, agent, { startedAt });
    const res = await adminApi.post('/api/v1/evaluations', {
      call_id: call.id,
      rubric_id: on.id,
      answers,
      submit: true,
    });
    expect(res.status).toBe(201);
    return res.body as { id: number };
  }

  const hoursAgo = (hours: number) => new Date(ctx.clock.now().getTime() - hours * 3_600_000).toISOString();
  /** Half a minute ago: after the session, which was completed a minute ago. */
  const sinceSession = () => hoursAgo(1 / 120);

  /**
   * A failing scorecard (37.5%) for a call made days before, released, whose coaching task is then completed;
   * then a minute passes, so calls can be made after the session. Returns the task id.
   */
  async function completedFromScorecard(): Promise<number> {
    const scorecard = await submitScorecard(ctx.deps, org.admin, supApi, org.csrA, held.id, failing(held));
    await release(scorecard.id);
    const id = scorecard.coaching_task_id!;
    expect(
      (await supApi.patch(`/api/v1/coaching-tasks/${id}`, { action: 'complete', notes: 'Went through it' })).status,
    ).toBe(200);
    ctx.clock.advance(60_000);
    return id;
  }

  const followUp = async (agent: Agent, id: number) => {
    const res = await agent.get(`/coaching/${id}`);
    expect(res.status).toBe(200);
    const html = res.text;
    const section = /<section aria-labelledby="follow-heading">([\s\S]*?)<\/section>/.exec(html);
    return section ? textOf(section[1]) : null;
  };
  const NONE = 'Did it stick? No scorecard on this rubric for a call made since the session.';

  test('no follow-up before the session is done', async () => {
    const scorecard = await submitScorecard(ctx.deps, org.admin, supApi, org.csrA, held.id, failing(held));
    expect(await followUp(pages.supA, scorecard.coaching_task_id!)).toBeNull();
  });

  test('no call made since → "no scorecard"; a scorecard on another rubric does not count', async () => {
    const id = await completedFromScorecard();
    await scoreCallMadeAt(sinceSession(), fullMarks(rubric), rubric);
    expect(await followUp(pages.supA, id)).toBe(NONE);
    expect(await followUp(pages.csr, id)).toBe(NONE);
  });

  test('a scorecard submitted after the session for a call made before it counts as before', async () => {
    const id = await completedFromScorecard();
    // Made two days ago (before the session), scored now (after it): full marks join the "before" average.
    await scoreCallMadeAt(hoursAgo(48), fullMarks(held));
    expect(await followUp(pages.supA, id)).toBe(NONE);
    // A call made since the session at 79.2%: after 79.2 against before (37.5 + 100) / 2 = 68.75.
    await scoreCallMadeAt(sinceSession(), workedExampleAnswers(held));
    const text = await followUp(pages.supA, id);
    expect(text).toMatch(/^Did it stick\? Improved: 68\.8% → 79\.2% \(\+10\.4 points\)\./);
    expect(text).toContain('over 1 call made since the session, against 2 calls made before it');
  });

  test('improved: staff see a scorecard at once; the CSR only once it is released', async () => {
    const id = await completedFromScorecard();
    const next = await scoreCallMadeAt(sinceSession(), workedExampleAnswers(held));
    expect(await followUp(pages.supA, id)).toMatch(/^Did it stick\? Improved: 37\.5% → 79\.2% \(\+41\.7 points\)\./);
    expect(await followUp(pages.csr, id)).toBe(NONE);

    await release(next.id);
    expect(await followUp(pages.csr, id)).toMatch(/^Did it stick\? Improved: 37\.5% → 79\.2% \(\+41\.7 points\)\./);
    expect((await csrApi.get(`/api/v1/coaching-tasks/${id}`)).status).toBe(200);
  });

  test('not yet: a lower average is shown as such, with the drop', async () => {
    const id = await completedFromScorecard();
    await scoreCallMadeAt(sinceSession(), nothingRight(held));
    expect(await followUp(pages.supA, id)).toMatch(/^Did it stick\? Not yet: 37\.5% → 0\.0% \(-37\.5 points\)\./);
  });

  test('every call made since counts, averaged', async () => {
    const id = await completedFromScorecard();
    await scoreCallMadeAt(sinceSession(), nothingRight(held));
    await scoreCallMadeAt(hoursAgo(1 / 360), fullMarks(held));
    expect(await followUp(pages.supA, id)).toMatch(/^Did it stick\? Improved: 37\.5% → 50\.0% \(\+12\.5 points\)\./);
  });

  test('a scorecard on the next version of the same rubric counts', async () => {
    const id = await completedFromScorecard();
    const draft = await startNewVersion(ctx.deps, { id: org.admin.id, role: 'admin' }, held.id);
    const v2 = await publishRubric(ctx.deps, null, draft);
    expect(v2.family_id).toBe(held.family_id);
    await scoreCallMadeAt(sinceSession(), fullMarks(v2), v2);
    expect(await followUp(pages.supA, id)).toMatch(/^Did it stick\? Improved: 37\.5% → 100\.0% \(\+62\.5 points\)\./);
  });

  test('a scorecard for another CSR does not count', async () => {
    const id = await completedFromScorecard();
    await scoreCallMadeAt(sinceSession(), fullMarks(held), held, org.csrA2);
    expect(await followUp(pages.supA, id)).toBe(NONE);
  });
});

test('the coaching list tabs filter by state', async () => {
  const open = await taskIn('open');
  const done = await taskIn('completed');
  const cancelled = await taskIn('cancelled');
  const ids = async (show: string) =>
    [...(await pages.supA.get(`/coaching?show=${show}`)).text.matchAll(/<td[^>]*><a href="\/coaching\/(\d+)">/g)].map(
      (m) => Number(m[1]),
    );
  expect(await ids('active')).toContain(open);
  expect(await ids('active')).not.toContain(done);
  expect(await ids('done')).toContain(done);
  expect(await ids('done')).not.toContain(open);
  expect(await ids('cancelled')).toEqual(expect.arrayContaining([cancelled]));
  expect(await ids('cancelled')).not.toContain(open);
});
