import { committedCents } from '../../src/budget/budget';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { postForm, signIn, type Agent } from '../helpers/http';
import { api, tokenFor, type Api } from '../helpers/scoring';
import { addCourse, auditActions, dateIn, flashes, textOf } from '../helpers/training';

// A supervisor recommends a course from a coaching task; the CSR's department manager approves (which books one
// seat against the budget) or declines with a reason the supervisor sees.

let ctx: TestContext;
let org: Org;
let managerApi: Api;
let supervisor: Agent;
let manager: Agent;
let otherManager: Agent;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  managerApi = api(ctx.app, await tokenFor(ctx.deps, org.manager));
  supervisor = await signIn(ctx.app, org.supervisorA.username);
  manager = await signIn(ctx.app, org.manager.username);
  otherManager = await signIn(ctx.app, org.otherManager.username);
});
afterAll(async () => ctx.close());

/** A coaching task opened by hand for csrA by their supervisor; returns its id. */
async function coachingTask(): Promise<number> {
  const res = await postForm(
    supervisor,
    '/coaching',
    { csr_id: String(org.csrA.id), focus: 'Explain the returns policy clearly', due_at: dateIn(ctx.clock, 7) },
    '/coaching/new',
  );
  expect(res.status).toBe(303);
  return Number(/\/coaching\/(\d+)$/.exec(res.headers.location)![1]);
}

async function recommend(taskId: number, courseId: number, note = 'Would help with refunds') {
  return postForm(
    supervisor,
    `/coaching/${taskId}/recommend`,
    { course_id: String(courseId), note },
    `/coaching/${taskId}`,
  );
}

async function request(id: number) {
  return ctx.deps.db.selectFrom('training_recommendations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function latestRequestFor(taskId: number) {
  return ctx.deps.db
    .selectFrom('training_recommendations')
    .selectAll()
    .where('coaching_task_id', '=', taskId)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
}

async function approve(agent: Agent, id: number, fields: Record<string, string> = {}) {
  return postForm(agent, `/training/requests/${id}/approve`, { due_at: dateIn(ctx.clock, 30), ...fields }, '/profile');
}

async function decline(agent: Agent, id: number, reason: string) {
  return postForm(agent, `/training/requests/${id}/decline`, { reason }, '/profile');
}

async function bookingCount(): Promise<number> {
  const row = await ctx.deps.db
    .selectFrom('training_bookings')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

test('recommend → approve books one seat for the CSR against their department budget and links the booking', async () => {
  const task = await coachingTask();
  const course = await addCourse(managerApi, { title: 'Refunds in depth', cost_cents: 15_000 });
  const sent = await recommend(task, course);
  expect(sent.status).toBe(303);
  const pending = await latestRequestFor(task);
  expect(pending).toMatchObject({
    csr_id: org.csrA.id,
    course_id: course,
    department_id: org.departmentId,
    recommended_by: org.supervisorA.id,
    status: 'pending',
    note: 'Would help with refunds',
  });
  const queue = textOf((await manager.get('/training/requests')).text);
  expect(queue).toContain(`Refunds in depth ($150.00) for ${org.csrA.display_name}`);
  const committedBefore = await committedCents(ctx.deps.db, org.departmentId, '2026-Q4');

  const res = await approve(manager, pending.id, { due_at: '2026-12-31' });
  expect(res.status).toBe(303);
  const page = await manager.get('/training/requests');
  expect(flashes(page.text)).toContainEqual({ kind: 'success', message: 'Approved and booked.' });
  expect(textOf(page.text)).toContain(`Refunds in depth for ${org.csrA.display_name}: approved`);

  const approved = await request(pending.id);
  expect(approved).toMatchObject({
    status: 'approved',
    decided_by: org.manager.id,
    decided_at: ctx.clock.now().toISOString(),
  });
  const booking = await ctx.deps.db
    .selectFrom('training_bookings')
    .selectAll()
    .where('id', '=', approved.booking_id!)
    .executeTakeFirstOrThrow();
  expect(booking).toMatchObject({ course_id: course, department_id: org.departmentId, seats: 1, total_cents: 15_000 });
  const assignments = await ctx.deps.db
    .selectFrom('training_assignments')
    .select(['csr_id', 'due_at'])
    .where('booking_id', '=', booking.id)
    .execute();
  expect(assignments).toEqual([{ csr_id: org.csrA.id, due_at: '2026-12-31T23:59:59.999Z' }]);
  expect(await committedCents(ctx.deps.db, org.departmentId, '2026-Q4')).toBe(committedBefore + 15_000);
  expect(await auditActions(ctx.deps.db, 'training_recommendation', pending.id)).toEqual([
    'training.recommended',
    'training.request_approved',
  ]);
  expect(textOf((await supervisor.get(`/coaching/${task}`)).text)).toContain('Refunds in depth: approved');
});

test('approving twice is refused with a message and books nothing more', async () => {
  const task = await coachingTask();
  const course = await addCourse(managerApi, { cost_cents: 2_000 });
  await recommend(task, course);
  const { id } = await latestRequestFor(task);
  await approve(manager, id);
  const bookings = await bookingCount();
  const committed = await committedCents(ctx.deps.db, org.departmentId, '2026-Q4');

  const again = await approve(manager, id);
  expect(again.status).toBe(303);
  expect(flashes((await manager.get('/training/requests')).text)).toContainEqual({
    kind: 'error',
    message: 'This request was already approved.',
  });
  expect(await bookingCount()).toBe(bookings);
  expect(await committedCents(ctx.deps.db, org.departmentId, '2026-Q4')).toBe(committed);
  // Nor can an approved request be declined afterwards.
  await decline(manager, id, 'Changed my mind');
  expect((await request(id)).status).toBe('approved');
});

test('declining needs a reason; with one the request is declined and the supervisor sees why', async () => {
  const task = await coachingTask();
  const course = await addCourse(managerApi, { title: 'Negotiation basics', cost_cents: 2_000 });
  await recommend(task, course);
  const { id } = await latestRequestFor(task);
  const bookings = await bookingCount();

  for (const reason of ['', '  ', 'no']) {
    expect((await decline(manager, id, reason)).status).toBe(303);
    expect(flashes((await manager.get('/training/requests')).text)).toContainEqual({
      kind: 'error',
      message: 'Say why you decline, for the supervisor.',
    });
    expect((await request(id)).status).toBe('pending');
  }

  expect((await decline(manager, id, 'Budget is for Q1 courses only')).status).toBe(303);
  expect(await request(id)).toMatchObject({
    status: 'declined',
    decline_reason: 'Budget is for Q1 courses only',
    booking_id: null,
  });
  expect(await bookingCount()).toBe(bookings);
  expect(textOf((await supervisor.get(`/coaching/${task}`)).text)).toContain(
    'Negotiation basics: declined — “Budget is for Q1 courses only”',
  );
  // A declined request cannot be approved afterwards.
  await approve(manager, id);
  expect((await request(id)).status).toBe('declined');
  expect(await bookingCount()).toBe(bookings);
});

test('the same course cannot wait twice for the same CSR (409 on the coaching page)', async () => {
  const task = await coachingTask();
  const course = await addCourse(managerApi, { cost_cents: 2_000 });
  expect((await recommend(task, course)).status).toBe(303);
  const again = await recommend(task, course);
  expect(again.status).toBe(409);
  expect(again.text).toContain('This course is already waiting for approval for this CSR.');
  const rows = await ctx.deps.db
    .selectFrom('training_recommendations')
    .select('id')
    .where('coaching_task_id', '=', task)
    .execute();
  expect(rows).toHaveLength(1);
});

test('a retired course cannot be recommended (422 beside the course)', async () => {
  const task = await coachingTask();
  const course = await addCourse(managerApi, { cost_cents: 2_000 });
  await postForm(manager, `/training/courses/${course}/retire`, {}, '/training');
  const res = await recommend(task, course);
  expect(res.status).toBe(422);
  expect(res.text).toContain('Choose a course that can be booked.');
});

test('approving over budget needs the override; without it the request stays pending', async () => {
  const task = await coachingTask();
  const remaining = 100_000 - (await committedCents(ctx.deps.db, org.departmentId, '2026-Q4'));
  const course = await addCourse(managerApi, { title: 'Expensive', cost_cents: remaining + 100 });
  await recommend(task, course);
  const { id } = await latestRequestFor(task);
  const bookings = await bookingCount();

  await approve(manager, id);
  const [error] = flashes((await manager.get('/training/requests')).text).filter((f) => f.kind === 'error');
  expect(error.message).toMatch(/^Over budget: this booking costs \$[\d,.]+ and \$[\d,.]+ is left for Q4 2026\./);
  expect((await request(id)).status).toBe('pending');
  expect(await bookingCount()).toBe(bookings);

  await approve(manager, id, { override_budget: 'on' });
  expect(flashes((await manager.get('/training/requests')).text)).toContainEqual({
    kind: 'success',
    message: 'Approved and booked (over budget, flagged).',
  });
  const approved = await request(id);
  const booking = await ctx.deps.db
    .selectFrom('training_bookings')
    .select('over_budget')
    .where('id', '=', approved.booking_id!)
    .executeTakeFirstOrThrow();
  expect(booking.over_budget).toBe(1);
});

test("another department's manager can neither approve nor decline the request (404), and nothing changes", async () => {
  const task = await coachingTask();
  const course = await addCourse(managerApi, { cost_cents: 2_000 });
  await recommend(task, course);
  const { id } = await latestRequestFor(task);
  const bookings = await bookingCount();

  expect(textOf((await otherManager.get('/training/requests')).text)).not.toContain(org.csrA.display_name);
  const approveRes = await approve(otherManager, id, { override_budget: 'on' });
  const declineRes = await decline(otherManager, id, 'Not my department anyway');
  expect(await request(id)).toMatchObject({ status: 'pending', decided_by: null });
  expect(await bookingCount()).toBe(bookings);
  expect(approveRes.status).toBe(404);
  expect(declineRes.status).toBe(404);
});

test('only staff recommend and only managers decide (403)', async () => {
  const task = await coachingTask();
  const course = await addCourse(managerApi, { cost_cents: 2_000 });
  const csr = await signIn(ctx.app, org.csrA.username);
  const fromCsr = await postForm(csr, `/coaching/${task}/recommend`, { course_id: String(course) });
  expect(fromCsr.status).toBe(403);
  await recommend(task, course);
  const { id } = await latestRequestFor(task);
  expect((await approve(supervisor, id)).status).toBe(403);
  expect((await decline(csr, id, 'I would rather not')).status).toBe(403);
  expect((await supervisor.get('/training/requests')).status).toBe(403);
  expect((await request(id)).status).toBe('pending');
});

test('a supervisor of another team cannot recommend from this coaching task (404)', async () => {
  const task = await coachingTask();
  const course = await addCourse(managerApi, { cost_cents: 2_000 });
  const other = await signIn(ctx.app, org.otherSupervisor.username);
  const res = await postForm(other, `/coaching/${task}/recommend`, { course_id: String(course) });
  expect(res.status).toBe(404);
  const rows = await ctx.deps.db
    .selectFrom('training_recommendations')
    .select('id')
    .where('coaching_task_id', '=', task)
    .execute();
  expect(rows).toEqual([]);
});
