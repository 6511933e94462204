import { committedCents } from '../../src/budget/budget';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { csrfFrom, postForm, signIn, type Agent } from '../helpers/http';
import { api, tokenFor, type Api } from '../helpers/scoring';
import {
  addCourse,
  assignmentsOfBooking,
  auditActions,
  bookingsOfCourse,
  buildDepartment,
  dateIn,
  fieldError,
  flashes,
  formFields,
  tableRows,
  textOf,
  type BudgetDepartment,
} from '../helpers/training';

// Booking training: by API in one call, or on pages in two steps (review the price and budget, then confirm).
// Each booked CSR gets an assignment; the department's budget is charged once, whatever is resubmitted.

let ctx: TestContext;
let org: Org;
let managerApi: Api;
let adminApi: Api;
let managerPage: Agent;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  managerApi = api(ctx.app, await tokenFor(ctx.deps, org.manager));
  adminApi = api(ctx.app, await tokenFor(ctx.deps, org.admin));
  managerPage = await signIn(ctx.app, org.manager.username);
});
afterAll(async () => ctx.close());

function department(budget_cents = 100_000, csrCount = 2) {
  return buildDepartment(ctx.deps, org.admin, org.manager, { budget_cents, csrCount });
}

function bookApi(client: Api, body: Record<string, unknown>) {
  return client.post('/api/v1/training/bookings', { due_at: dateIn(ctx.clock, 30), ...body });
}

async function counts() {
  const [bookings, assignments, audit] = await Promise.all(
    (['training_bookings', 'training_assignments', 'audit_log'] as const).map((table) =>
      ctx.deps.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ),
  );
  return { bookings: Number(bookings.n), assignments: Number(assignments.n), audit: Number(audit.n) };
}

describe('POST /api/v1/training/bookings', () => {
  test('books the seats, answers with the price and budget left, and assigns the course to each CSR', async () => {
    const dept = await department(100_000, 3);
    const course = await addCourse(managerApi, { cost_cents: 12_000, group_rule: { type: 'every_n_free', n: 3 } });
    const res = await bookApi(managerApi, {
      course_id: course,
      agents: dept.csrs.map((c) => c.username),
      due_at: '2026-12-15',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      seats: 3,
      free_seats: 1,
      price_per_seat_cents: 12_000,
      total_cents: 24_000,
      budget_left_cents: 76_000,
      over_budget: false,
    });
    const [booking] = await bookingsOfCourse(ctx.deps.db, course);
    expect(booking).toMatchObject({
      id: res.body.id,
      department_id: dept.id,
      booked_by: org.manager.id,
      period_key: '2026-Q4',
      due_at: '2026-12-15T23:59:59.999Z',
      created_at: ctx.clock.now().toISOString(),
    });
    const assignments = await assignmentsOfBooking(ctx.deps.db, booking.id);
    expect(assignments.map((a) => [a.csr_id, a.status, a.due_at])).toEqual(
      dept.csrs.map((c) => [c.id, 'assigned', '2026-12-15T23:59:59.999Z']),
    );
    expect(await committedCents(ctx.deps.db, dept.id, '2026-Q4')).toBe(24_000);
  });

  test('the same idempotency key again returns the first booking (200) and charges nothing more', async () => {
    const dept = await department();
    const course = await addCourse(managerApi, { cost_cents: 7_500 });
    const body = { course_id: course, agents: [dept.csrs[0].username], idempotency_key: 'retry-key-0001' };
    const first = await bookApi(managerApi, body);
    const again = await bookApi(managerApi, body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await bookingsOfCourse(ctx.deps.db, course)).toHaveLength(1);
    expect(await committedCents(ctx.deps.db, dept.id, '2026-Q4')).toBe(7_500);
    expect(await auditActions(ctx.deps.db, 'training_booking', first.body.id)).toEqual(['training.booked']);
  });

  test('two bookings sent at once cannot both spend the last of the budget', async () => {
    const dept = await department(100_000);
    const course = await addCourse(managerApi, { cost_cents: 60_000 });
    const results = await Promise.all(
      dept.csrs.map((csr) => bookApi(managerApi, { course_id: course, agents: [csr.username] })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await committedCents(ctx.deps.db, dept.id, '2026-Q4')).toBe(60_000);
  });

  describe('bad input is 422 with a message on the field, and nothing is written', () => {
    let retired: number;
    let course: number;
    let dept: BudgetDepartment;

    beforeAll(async () => {
      dept = await department();
      course = await addCourse(managerApi, { cost_cents: 1_000 });
      retired = await addCourse(managerApi, { cost_cents: 1_000, title: 'Old course' });
      const form = await postForm(managerPage, `/training/courses/${retired}/retire`, {}, '/training');
      expect(form.status).toBe(303);
    });

    const cases: Array<[string, () => Record<string, unknown>, string, () => RegExp]> = [
      ['no CSRs at all (zero seats)', () => ({ course_id: course, agents: [] }), 'agents', () => /at least one CSR/],
      [
        'a CSR of another department',
        () => ({ course_id: course, agents: [dept.csrs[0].username, org.otherCsr.username] }),
        'agents',
        () => new RegExp(`No active CSR named ${org.otherCsr.username} in your departments`),
      ],
      [
        'someone who is not a CSR',
        () => ({ course_id: course, agents: [org.supervisorA.username] }),
        'agents',
        () => new RegExp(`No active CSR named ${org.supervisorA.username}`),
      ],
      [
        'a retired course',
        () => ({ course_id: retired, agents: [dept.csrs[0].username] }),
        'course_id',
        () => /retired/,
      ],
      [
        'an unknown course',
        () => ({ course_id: 999_999, agents: [dept.csrs[0].username] }),
        'course_id',
        () => /No such/,
      ],
      [
        'a due date in the past',
        () => ({ course_id: course, agents: [dept.csrs[0].username], due_at: dateIn(ctx.clock, -1) }),
        'due_at',
        () => /in the past/,
      ],
      [
        'a due date not on the calendar',
        () => ({ course_id: course, agents: [dept.csrs[0].username], due_at: '2027-02-30' }),
        'due_at',
        () => /does not exist/,
      ],
      [
        'a due date that is not a date',
        () => ({ course_id: course, agents: [dept.csrs[0].username], due_at: 'next week' }),
        'due_at',
        () => /date like/,
      ],
    ];

    test.each(cases)('%s', async (_name, body, path, message) => {
      const before = await counts();
      const res = await bookApi(managerApi, body());
      expect(res.status).toBe(422);
      expect(res.body.error.details).toEqual([
        expect.objectContaining({ path, message: expect.stringMatching(message()) }),
      ]);
      expect(await counts()).toEqual(before);
      expect(await committedCents(ctx.deps.db, dept.id, '2026-Q4')).toBe(0);
    });

    test('an admin booking CSRs of two departments at once is refused: one budget per booking', async () => {
      const before = await counts();
      const res = await bookApi(adminApi, { course_id: course, agents: [org.csrA.username, org.otherCsr.username] });
      expect(res.status).toBe(422);
      expect(res.body.error.details[0].message).toMatch(/one department at a time/);
      expect(await counts()).toEqual(before);
    });
  });
});

describe('the two-step booking pages', () => {
  let dept: BudgetDepartment;
  let course: number;

  beforeAll(async () => {
    dept = await department(100_000, 5);
    course = await addCourse(managerApi, {
      cost_cents: 12_000,
      title: 'Calm under pressure',
      group_rule: { type: 'every_n_free', n: 4 },
    });
  });

  test('the booking form offers only CSRs of the manager’s departments', async () => {
    const page = await managerPage.get(`/training/book?course_id=${course}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`value="${dept.csrs[0].username}"`);
    expect(page.text).toContain(`value="${org.csrA.username}"`);
    expect(page.text).not.toContain(`value="${org.otherCsr.username}"`);
  });

  test('review shows seats, price per seat, free seats, total and budget left, and charges nothing', async () => {
    const before = await counts();
    const review = await postForm(
      managerPage,
      '/training/book/review',
      { course_id: String(course), agents: dept.csrs.map((c) => c.username), due_at: '2026-12-20' },
      '/training/book',
    );
    expect(review.status).toBe(200);
    expect(tableRows(review.text, 0)).toEqual([
      ['Seats', '5'],
      ['Price per seat', '$120.00'],
      ['Free seats (one free seat in every 4)', '1'],
      ['Group discount', '−$120.00'],
      ['Total', '$480.00'],
      ['Budget left for Q4 2026', '$1,000.00 of $1,000.00'],
      ['Left after this booking', '$520.00'],
    ]);
    expect(review.text).not.toContain('over the department');
    expect(await counts()).toEqual(before);
    expect(await bookingsOfCourse(ctx.deps.db, course)).toEqual([]);
  });

  test('confirming books once; submitting the same confirm form again charges nothing twice', async () => {
    const review = await postForm(
      managerPage,
      '/training/book/review',
      { course_id: String(course), agents: dept.csrs.map((c) => c.username), due_at: '2026-12-20' },
      '/training/book',
    );
    const confirm = formFields(review.text, '/training/bookings');
    expect(confirm.idempotency_key).toMatch(/^[0-9a-f]{32}$/);

    const first = await managerPage.post('/training/bookings').type('form').send(confirm);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/budget');
    expect(flashes((await managerPage.get('/budget')).text)).toContainEqual({
      kind: 'success',
      message: 'Booked 5 seat(s).',
    });

    const second = await managerPage.post('/training/bookings').type('form').send(confirm);
    expect(second.status).toBe(303);
    expect(flashes((await managerPage.get('/budget')).text)).toContainEqual({
      kind: 'success',
      message: 'That booking was already made; nothing was charged twice.',
    });

    const bookings = await bookingsOfCourse(ctx.deps.db, course);
    expect(bookings).toHaveLength(1);
    expect(bookings[0]).toMatchObject({
      seats: 5,
      free_seats: 1,
      total_cents: 48_000,
      idempotency_key: confirm.idempotency_key,
    });
    expect(await committedCents(ctx.deps.db, dept.id, '2026-Q4')).toBe(48_000);
    const assignments = await assignmentsOfBooking(ctx.deps.db, bookings[0].id);
    expect(assignments.map((a) => a.csr_id)).toEqual(dept.csrs.map((c) => c.id));

    // Every booked CSR sees the course on their own training page.
    for (const csr of dept.csrs) {
      const mine = await (await signIn(ctx.app, csr.username)).get('/training/mine');
      expect(mine.text).toContain('Calm under pressure');
    }
    const notBooked = await (await signIn(ctx.app, org.csrA.username)).get('/training/mine');
    expect(notBooked.text).not.toContain('Calm under pressure');
  });

  test('the confirm form sent several times at once still books and charges once', async () => {
    const burst = await addCourse(managerApi, { cost_cents: 3_000, title: 'Clicked three times' });
    const review = await postForm(
      managerPage,
      '/training/book/review',
      { course_id: String(burst), agents: [dept.csrs[0].username], due_at: '2026-12-20' },
      '/training/book',
    );
    const confirm = formFields(review.text, '/training/bookings');
    const before = await committedCents(ctx.deps.db, dept.id, '2026-Q4');
    const sent = await Promise.all(
      [1, 2, 3].map(() => managerPage.post('/training/bookings').type('form').send(confirm)),
    );
    expect(sent.map((r) => r.status)).toEqual([303, 303, 303]);
    expect(await bookingsOfCourse(ctx.deps.db, burst)).toHaveLength(1);
    expect(await committedCents(ctx.deps.db, dept.id, '2026-Q4')).toBe(before + 3_000);
  });

  test('review with no CSR ticked: 422, the form again with the message beside the CSRs', async () => {
    const before = await counts();
    const res = await postForm(
      managerPage,
      '/training/book/review',
      { course_id: String(course), due_at: '2026-12-20' },
      '/training/book',
    );
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'agents')).toBe('Choose at least one CSR.');
    expect(res.text).toContain('value="2026-12-20"');
    expect(await counts()).toEqual(before);
  });

  test('a confirm form tampered to add another department’s CSR: 422 naming the CSR, nothing booked', async () => {
    const review = await postForm(
      managerPage,
      '/training/book/review',
      { course_id: String(course), agents: [dept.csrs[0].username], due_at: '2026-12-20' },
      '/training/book',
    );
    const confirm = formFields(review.text, '/training/bookings');
    const before = await counts();
    const res = await managerPage
      .post('/training/bookings')
      .type('form')
      .send({ ...confirm, agents: [dept.csrs[0].username, org.otherCsr.username] });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'agents')).toBe(`No active CSR named ${org.otherCsr.username} in your departments.`);
    expect(await counts()).toEqual(before);
  });

  test('review with a due date in the past: 422 beside the date', async () => {
    const res = await postForm(
      managerPage,
      '/training/book/review',
      { course_id: String(course), agents: [dept.csrs[0].username], due_at: dateIn(ctx.clock, -3) },
      '/training/book',
    );
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'due_at')).toBe('The due date is in the past.');
  });
});

describe('courses', () => {
  test.each([
    [-1, 'cost_cents cannot be negative.'],
    [1.5, 'cost_cents must be a whole number of cents.'],
    ['100', 'cost_cents must be a whole number of cents.'],
  ])('API cost_cents %p is 422: %s', async (cost, message) => {
    const title = `Bad cost ${String(cost)}`;
    const res = await managerApi.post('/api/v1/training/courses', { title, cost_cents: cost });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([{ path: 'cost_cents', message }]);
    const stored = await ctx.deps.db.selectFrom('training_courses').select('id').where('title', '=', title).execute();
    expect(stored).toEqual([]);
  });

  test('a group rule with n below 2 is 422 on group_rule.n', async () => {
    const res = await managerApi.post('/api/v1/training/courses', {
      title: 'Everyone free',
      cost_cents: 100,
      group_rule: { type: 'every_n_free', n: 1 },
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].path).toBe('group_rule.n');
  });

  test.each(['-3', 'abc', '1.234'])(
    'page cost "%s" is 422 with the message beside the cost and the values kept',
    async (cost) => {
      const title = `Page course ${cost}`;
      const res = await postForm(managerPage, '/training/courses', { title, cost, group_rule: '' }, '/training');
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'cost')).toMatch(/cost/i);
      expect(res.text).toContain(`value="${cost}"`);
      const stored = await ctx.deps.db.selectFrom('training_courses').select('id').where('title', '=', title).execute();
      expect(stored).toEqual([]);
    },
  );

  test('a page cost in currency units is stored in whole cents with its group rule', async () => {
    const res = await postForm(
      managerPage,
      '/training/courses',
      {
        title: 'Priced on the page',
        cost: '49.99',
        group_rule: 'percent_off',
        group_min_seats: '5',
        group_percent: '10',
      },
      '/training',
    );
    expect(res.status).toBe(303);
    const listed = await managerApi.get('/api/v1/training/courses');
    expect(listed.body.items).toContainEqual(
      expect.objectContaining({
        title: 'Priced on the page',
        cost_cents: 4_999,
        group_rule: { type: 'percent_off', min_seats: 5, percent: 10 },
        group_rule_text: '10% off from 5 seats',
      }),
    );
  });

  test('a retired course leaves the booking form and the catalog but keeps its bookings; retiring twice is refused', async () => {
    const dept = await department();
    const course = await addCourse(managerApi, { title: 'Soon retired', cost_cents: 500 });
    expect((await bookApi(managerApi, { course_id: course, agents: [dept.csrs[0].username] })).status).toBe(201);
    expect((await postForm(managerPage, `/training/courses/${course}/retire`, {}, '/training')).status).toBe(303);
    expect((await managerPage.get('/training/book')).text).not.toContain('Soon retired');
    expect(textOf((await managerPage.get('/training')).text)).not.toContain('Soon retired');
    expect(textOf((await managerPage.get('/training?retired=1')).text)).toContain('Soon retired retired');
    expect(await bookingsOfCourse(ctx.deps.db, course)).toHaveLength(1);
    await postForm(managerPage, `/training/courses/${course}/retire`, {}, '/training');
    expect(flashes((await managerPage.get('/training')).text)).toContainEqual({
      kind: 'error',
      message: 'This course is already retired.',
    });
  });
});

describe('who may book', () => {
  let csrApi: Api;
  let supervisorApi: Api;
  let csrPage: Agent;
  let supervisorPage: Agent;
  let course: number;

  beforeAll(async () => {
    csrApi = api(ctx.app, await tokenFor(ctx.deps, org.csrA));
    supervisorApi = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
    csrPage = await signIn(ctx.app, org.csrA.username);
    supervisorPage = await signIn(ctx.app, org.supervisorA.username);
    course = await addCourse(managerApi, { cost_cents: 100 });
  });

  test.each<[string, number, () => Promise<number>]>([
    ['CSR: GET /training/book', 403, async () => (await csrPage.get('/training/book')).status],
    ['supervisor: GET /training/book', 403, async () => (await supervisorPage.get('/training/book')).status],
    ['manager: GET /training/book', 200, async () => (await managerPage.get('/training/book')).status],
    ['CSR: GET /budget', 403, async () => (await csrPage.get('/budget')).status],
    ['supervisor: GET /budget', 403, async () => (await supervisorPage.get('/budget')).status],
    [
      'CSR: POST /training/book/review',
      403,
      async () => {
        const csrf = await csrfFrom(csrPage, '/profile');
        const res = await csrPage
          .post('/training/book/review')
          .type('form')
          .send({ _csrf: csrf, course_id: String(course), agents: org.csrA.username, due_at: '2026-12-20' });
        return res.status;
      },
    ],
    [
      'CSR: POST /api/v1/training/bookings',
      403,
      async () => (await bookApi(csrApi, { course_id: course, agents: [org.csrA.username] })).status,
    ],
    [
      'supervisor: POST /api/v1/training/bookings',
      403,
      async () => (await bookApi(supervisorApi, { course_id: course, agents: [org.csrA.username] })).status,
    ],
    [
      'supervisor: POST /api/v1/training/courses',
      403,
      async () => (await supervisorApi.post('/api/v1/training/courses', { title: 'x', cost_cents: 1 })).status,
    ],
    [
      'supervisor: GET /api/v1/training/courses',
      200,
      async () => (await supervisorApi.get('/api/v1/training/courses')).status,
    ],
    ['CSR: GET /api/v1/training/courses', 403, async () => (await csrApi.get('/api/v1/training/courses')).status],
  ])('%s → %i', async (_name, expected, run) => {
    const before = await counts();
    expect(await run()).toBe(expected);
    expect((await counts()).bookings).toBe(before.bookings);
  });

  test('a CSR opening /training is sent to their own training page', async () => {
    const res = await csrPage.get('/training');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/training/mine');
  });
});
