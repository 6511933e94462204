import { progressAssignment } from '../../src/training/assignments.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { postForm, signIn, type Agent } from '../helpers/http';
import { api, tokenFor, type Api } from '../helpers/scoring';
import {
  addCourse,
  assignmentsOfBooking,
  bookingsOfCourse,
  buildDepartment,
  dateIn,
  fieldError,
  formFields,
  textOf,
  type BudgetDepartment,
} from '../helpers/training';

// A CSR takes one seat in a booking: naming them twice is invalid input (422 at its place). Booking a course
// for a CSR who already holds an open seat of it (assigned or in progress) is a likely mistake: the review page
// warns, and the API refuses with 409 already_booked unless allow_rebook is sent.

let ctx: TestContext;
let org: Org;
let managerApi: Api;
let managerPage: Agent;
let dept: BudgetDepartment;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  managerApi = api(ctx.app, await tokenFor(ctx.deps, org.manager));
  managerPage = await signIn(ctx.app, org.manager.username);
  dept = await buildDepartment(ctx.deps, org.admin, org.manager, { budget_cents: 1_000_000, csrCount: 3 });
});
afterAll(async () => ctx.close());

const book = (body: Record<string, unknown>) =>
  managerApi.post('/api/v1/training/bookings', { due_at: dateIn(ctx.clock, 30), ...body });

async function assignmentCount(): Promise<number> {
  const row = await ctx.deps.db
    .selectFrom('training_assignments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('the same CSR twice in one booking', () => {
  test.each([
    ['the same spelling', (name: string) => name],
    ['another letter case', (name: string) => name.toUpperCase()],
  ])('API, %s: 422 naming the duplicate at agents.1, nothing booked', async (_case, spell) => {
    const course = await addCourse(managerApi, { cost_cents: 2_000 });
    const name = dept.csrs[0].username;
    const before = await assignmentCount();
    const res = await book({ course_id: course, agents: [name, spell(name)] });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([
      { path: 'agents.1', message: `${spell(name)} is named twice: each CSR takes one seat in a booking.` },
    ]);
    expect(await bookingsOfCourse(ctx.deps.db, course)).toEqual([]);
    expect(await assignmentCount()).toBe(before);
  });

  test('the page: review with a CSR twice is 422 with the message beside the CSRs', async () => {
    const course = await addCourse(managerApi, { cost_cents: 2_000 });
    const name = dept.csrs[1].username;
    const res = await postForm(
      managerPage,
      '/training/book/review',
      { course_id: String(course), agents: [name, dept.csrs[2].username, name], due_at: dateIn(ctx.clock, 20) },
      '/training/book',
    );
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'agents')).toBe(`${name} is named twice: each CSR takes one seat in a booking.`);
  });
});

describe('a CSR who already holds an open seat of the course', () => {
  test('API: 409 already_booked naming only them; with allow_rebook it books; nothing written before that', async () => {
    const course = await addCourse(managerApi, { cost_cents: 5_000 });
    const [holder, other] = dept.csrs;
    expect((await book({ course_id: course, agents: [holder.username] })).status).toBe(201);
    const before = await assignmentCount();

    const refused = await book({ course_id: course, agents: [other.username, holder.username] });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('already_booked');
    expect(refused.body.error.message).toContain(`${holder.display_name} (${holder.username})`);
    expect(refused.body.error.message).not.toContain(other.username);
    expect(await bookingsOfCourse(ctx.deps.db, course)).toHaveLength(1);
    expect(await assignmentCount()).toBe(before);

    const again = await book({ course_id: course, agents: [other.username, holder.username], allow_rebook: true });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ seats: 2, total_cents: 10_000 });
  });

  test('in progress still counts as open; once completed, booking the course again is fine', async () => {
    const course = await addCourse(managerApi, { cost_cents: 1_000 });
    const csr = dept.csrs[2];
    const first = await book({ course_id: course, agents: [csr.username] });
    const [assignment] = await assignmentsOfBooking(ctx.deps.db, first.body.id);
    const self = { id: csr.id, role: 'csr' as const };
    await progressAssignment(ctx.deps, self, assignment.id, 'start');
    expect((await book({ course_id: course, agents: [csr.username] })).body.error.code).toBe('already_booked');
    await progressAssignment(ctx.deps, self, assignment.id, 'complete');
    expect((await book({ course_id: course, agents: [csr.username] })).status).toBe(201);
  });

  test('another course does not count', async () => {
    const taken = await addCourse(managerApi, { cost_cents: 1_000 });
    const fresh = await addCourse(managerApi, { cost_cents: 1_000 });
    expect((await book({ course_id: taken, agents: [dept.csrs[0].username] })).status).toBe(201);
    expect((await book({ course_id: fresh, agents: [dept.csrs[0].username] })).status).toBe(201);
  });

  test('the page: review warns naming them; confirming without the tick is 409 and books nothing; with it, booked', async () => {
    const course = await addCourse(managerApi, { cost_cents: 3_000, title: 'Refresher' });
    const [holder, other] = dept.csrs;
    expect((await book({ course_id: course, agents: [holder.username] })).status).toBe(201);
    const review = await postForm(
      managerPage,
      '/training/book/review',
      { course_id: String(course), agents: [holder.username, other.username], due_at: dateIn(ctx.clock, 20) },
      '/training/book',
    );
    expect(review.status).toBe(200);
    const warning = /<p[^>]*id="already-booked"[^>]*>([\s\S]*?)<\/p>/.exec(review.text)?.[1] ?? '';
    expect(textOf(warning)).toBe(
      `Already booked: ${holder.display_name} holds an open seat for this course (assigned or in progress).`,
    );
    expect(review.text).toContain('name="allow_rebook"');

    const confirm = formFields(review.text, '/training/bookings');
    const refused = await managerPage.post('/training/bookings').type('form').send(confirm);
    expect(refused.status).toBe(409);
    expect(textOf(refused.text)).toContain(`Already booked: ${holder.display_name} (${holder.username})`);
    expect(await bookingsOfCourse(ctx.deps.db, course)).toHaveLength(1);

    const booked = await managerPage
      .post('/training/bookings')
      .type('form')
      .send({ ...confirm, allow_rebook: 'on' });
    expect(booked.status).toBe(303);
    expect(await bookingsOfCourse(ctx.deps.db, course)).toHaveLength(2);
  });

  test('the review page of a booking with no earlier seat shows no warning', async () => {
    const course = await addCourse(managerApi, { cost_cents: 3_000 });
    const review = await postForm(
      managerPage,
      '/training/book/review',
      { course_id: String(course), agents: [dept.csrs[0].username], due_at: dateIn(ctx.clock, 20) },
      '/training/book',
    );
    expect(review.status).toBe(200);
    expect(review.text).not.toContain('already-booked');
  });
});

test('the OpenAPI document describes allow_rebook and the already_booked 409', async () => {
  const doc = await managerApi.get('/api/openapi.json');
  const post = doc.body.paths['/api/v1/training/bookings'].post;
  const property = post.requestBody.content['application/json'].schema.properties.allow_rebook;
  expect(property).toMatchObject({ type: 'boolean', default: false });
  expect(property.description).toMatch(/open seat/);
  expect(post.responses['409'].description).toMatch(/already_booked/);
});
