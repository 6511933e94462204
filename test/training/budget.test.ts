import { parse } from 'csv-parse/sync';
import { periodKey, periodLabel } from '../../src/budget/budget';
import type { User } from '../../src/db/schema';
import { createUser } from '../../src/users/users.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, PASSWORD, type Org } from '../helpers/builders';
import { postForm, signIn, type Agent } from '../helpers/http';
import { api, tokenFor, type Api } from '../helpers/scoring';
import {
  addCourse,
  advanceTo,
  auditActions,
  buildDepartment,
  dateIn,
  flashes,
  formFields,
  tableRows,
  type BudgetDepartment,
} from '../helpers/training';

// Budgets are per department and period (month, quarter or year, in UTC). Committed spend is the period's training
// bookings plus recognition awards; going over needs the manager's explicit override, which is flagged everywhere.

let ctx: TestContext;
let org: Org;
let managerApi: Api;
let managerPage: Agent;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  managerApi = api(ctx.app, await tokenFor(ctx.deps, org.manager));
  managerPage = await signIn(ctx.app, org.manager.username);
});
afterAll(async () => ctx.close());

function department(budget_cents: number, budget_period: 'month' | 'quarter' | 'year' = 'quarter', csrCount = 2) {
  return buildDepartment(ctx.deps, org.admin, org.manager, { budget_cents, budget_period, csrCount });
}

function book(client: Api, courseId: number, csrs: User[], extra: Record<string, unknown> = {}) {
  return client.post('/api/v1/training/bookings', {
    course_id: courseId,
    agents: csrs.map((c) => c.username),
    due_at: dateIn(ctx.clock, 60),
    ...extra,
  });
}

async function award(dept: BudgetDepartment, recipients: User[], amount: string, title = 'Gift card') {
  const res = await postForm(
    managerPage,
    '/recognition/awards',
    { department_id: String(dept.id), agent_ids: recipients.map((c) => String(c.id)), title, amount },
    '/recognition',
  );
  expect(res.status).toBe(303);
}

/** The department's row in the status table of /budget: [name, period, budget, committed, remaining, used]. */
async function statusRow(agent: Agent, dept: BudgetDepartment): Promise<string[]> {
  const page = await agent.get(`/budget?department_id=${dept.id}`);
  expect(page.status).toBe(200);
  const row = tableRows(page.text, 0).find((cells) => cells[0] === dept.name);
  if (!row) throw new Error(`${dept.name} is not on /budget`);
  return row;
}

describe('period keys (UTC)', () => {
  test.each([
    ['2026-03-31T23:59:59Z', 'quarter', '2026-Q1'],
    ['2026-04-01T00:00:00Z', 'quarter', '2026-Q2'],
    ['2026-12-31T23:59:59.999Z', 'quarter', '2026-Q4'],
    ['2027-01-01T00:00:00Z', 'quarter', '2027-Q1'],
    ['2026-03-31T23:59:59Z', 'month', '2026-03'],
    ['2026-04-01T00:00:00Z', 'month', '2026-04'],
    ['2026-02-28T23:59:59Z', 'month', '2026-02'],
    ['2026-12-31T23:59:59Z', 'year', '2026'],
    ['2027-01-01T00:00:00Z', 'year', '2027'],
    // 23:30 at UTC−2 is already 01:30 on 1 April in UTC.
    ['2026-03-31T23:30:00-02:00', 'quarter', '2026-Q2'],
    ['2026-04-01T01:00:00+02:00', 'month', '2026-03'],
  ] as const)('%s in a %s budget is %s', (at, period, key) => {
    expect(periodKey(new Date(at), period, 'UTC')).toBe(key);
  });

  test.each([
    ['2026-Q4', 'Q4 2026'],
    ['2026-11', 'November 2026'],
    ['2027-01', 'January 2027'],
    ['2026', '2026'],
  ])('%s reads as "%s"', (key, label) => {
    expect(periodLabel(key)).toBe(label);
  });
});

describe('committed spend and the over-budget override', () => {
  test('committed is every booking and award of the period; remaining is the budget minus that', async () => {
    const dept = await department(100_000, 'quarter', 3);
    const course = await addCourse(managerApi, { cost_cents: 30_000 });
    const first = await book(managerApi, course, [dept.csrs[0]]);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ total_cents: 30_000, budget_left_cents: 70_000, over_budget: false });
    await award(dept, [dept.csrs[1], dept.csrs[2]], '50.00');
    const awardRow = await ctx.deps.db
      .selectFrom('awards')
      .selectAll()
      .where('department_id', '=', dept.id)
      .executeTakeFirstOrThrow();
    expect(awardRow).toMatchObject({ amount_cents: 5_000, total_cents: 10_000, period_key: '2026-Q4' });

    expect(await statusRow(managerPage, dept)).toEqual([dept.name, 'Q4 2026', '$1,000.00', '$400.00', '$600.00', '']);
    // The next booking sees the award too: 30,000 + 10,000 committed.
    const second = await book(managerApi, course, [dept.csrs[1]]);
    expect(second.body).toMatchObject({ budget_left_cents: 30_000, over_budget: false });
  });

  test('over budget without the override: 409 over_budget naming the cost, what is left and the period; nothing written', async () => {
    const dept = await department(50_000);
    const course = await addCourse(managerApi, { cost_cents: 30_000 });
    const res = await book(managerApi, course, dept.csrs);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('over_budget');
    expect(res.body.error.message).toContain('$600.00');
    expect(res.body.error.message).toContain('$500.00');
    expect(res.body.error.message).toContain('Q4 2026');
    const bookings = await ctx.deps.db
      .selectFrom('training_bookings')
      .select('id')
      .where('department_id', '=', dept.id)
      .execute();
    expect(bookings).toEqual([]);
    const assignments = await ctx.deps.db
      .selectFrom('training_assignments')
      .select('id')
      .where(
        'csr_id',
        'in',
        dept.csrs.map((c) => c.id),
      )
      .execute();
    expect(assignments).toEqual([]);
    expect((await statusRow(managerPage, dept))[3]).toBe('$0.00');
  });

  test('with the override: booked, flagged on the booking, on /budget and in the audit log as training.booked_over_budget', async () => {
    const dept = await department(50_000);
    const course = await addCourse(managerApi, { cost_cents: 30_000, title: 'Escalations masterclass' });
    const within = await book(managerApi, course, [dept.csrs[0]]);
    expect(within.body.over_budget).toBe(false);
    const res = await book(managerApi, course, [dept.csrs[1]], { override_budget: true });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ over_budget: true, total_cents: 30_000, budget_left_cents: -10_000 });

    const rows = await ctx.deps.db
      .selectFrom('training_bookings')
      .select(['id', 'over_budget'])
      .where('department_id', '=', dept.id)
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: within.body.id, over_budget: 0 },
      { id: res.body.id, over_budget: 1 },
    ]);

    expect(await auditActions(ctx.deps.db, 'training_booking', within.body.id)).toEqual(['training.booked']);
    const audit = await ctx.deps.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'details'])
      .where('entity_type', '=', 'training_booking')
      .where('entity_id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ action: 'training.booked_over_budget', actor_id: org.manager.id });
    expect(JSON.parse(audit.details!)).toMatchObject({
      total_cents: 30_000,
      budget_left_cents: 20_000,
      override: true,
    });

    const page = await managerPage.get(`/budget?department_id=${dept.id}`);
    const charges = tableRows(page.text, 1);
    expect(charges.map((c) => [c[3], c[4]])).toEqual([
      ['Escalations masterclass × 1 seat over budget', '$300.00'],
      ['Escalations masterclass × 1 seat', '$300.00'],
    ]);
    expect(page.text.match(/badge-fail">over budget</g)).toHaveLength(1);
    expect((await statusRow(managerPage, dept))[4]).toBe('-$100.00');
  });

  test('an award over budget is refused without the override and flagged with it', async () => {
    const dept = await department(5_000);
    const refused = await postForm(
      managerPage,
      '/recognition/awards',
      { department_id: String(dept.id), agent_ids: [String(dept.csrs[0].id)], title: 'Big prize', amount: '60' },
      '/recognition',
    );
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('Over budget: this award costs $60.00 and $50.00 is left for Q4 2026.');
    const none = await ctx.deps.db.selectFrom('awards').select('id').where('department_id', '=', dept.id).execute();
    expect(none).toEqual([]);

    await postForm(
      managerPage,
      '/recognition/awards',
      {
        department_id: String(dept.id),
        agent_ids: [String(dept.csrs[0].id)],
        title: 'Big prize',
        amount: '60',
        override_budget: 'on',
      },
      '/recognition',
    );
    const stored = await ctx.deps.db
      .selectFrom('awards')
      .select(['id', 'over_budget'])
      .where('department_id', '=', dept.id)
      .executeTakeFirstOrThrow();
    expect(stored.over_budget).toBe(1);
    expect(await auditActions(ctx.deps.db, 'award', stored.id)).toEqual(['award.recorded_over_budget']);
  });

  test('the review page warns before an over-budget booking and the confirm form needs the override tick', async () => {
    const dept = await department(20_000);
    const course = await addCourse(managerApi, { cost_cents: 15_000 });
    const review = await postForm(
      managerPage,
      '/training/book/review',
      { course_id: String(course), agents: dept.csrs.map((c) => c.username), due_at: dateIn(ctx.clock, 30) },
      '/training/book',
    );
    expect(review.status).toBe(200);
    expect(review.text).toContain("This booking is over the department's budget by $100.00.");
    const confirm = formFields(review.text, '/training/bookings');

    const without = await managerPage.post('/training/bookings').type('form').send(confirm);
    expect(without.status).toBe(409);
    expect(flashes(without.text)).toContainEqual({
      kind: 'error',
      message:
        'Over budget: this booking costs $300.00 and $200.00 is left for Q4 2026. Tick the override to book anyway.',
    });
    const none = await ctx.deps.db
      .selectFrom('training_bookings')
      .select('id')
      .where('course_id', '=', course)
      .execute();
    expect(none).toEqual([]);

    const withOverride = await managerPage
      .post('/training/bookings')
      .type('form')
      .send({ ...formFields(without.text, '/training/bookings'), override_budget: 'on' });
    expect(withOverride.status).toBe(303);
    const rows = await ctx.deps.db
      .selectFrom('training_bookings')
      .select(['over_budget', 'total_cents'])
      .where('course_id', '=', course)
      .execute();
    expect(rows).toEqual([{ over_budget: 1, total_cents: 30_000 }]);
  });
});

describe('the spend page and its CSV', () => {
  let dept: BudgetDepartment;
  let boss: User;
  let bossApi: Api;
  let bossPage: Agent;

  beforeAll(async () => {
    // A manager whose display name looks like a formula, to check the "by" column too.
    boss = await createUser(ctx.deps, null, {
      username: 'formula.boss',
      display_name: '@Formula Boss',
      password: PASSWORD,
      role: 'manager',
    });
    bossApi = api(ctx.app, await tokenFor(ctx.deps, boss));
    bossPage = await signIn(ctx.app, boss.username);
    dept = await buildDepartment(ctx.deps, org.admin, boss, { budget_cents: 1_000_000, csrCount: 5 });
    const titles = ['=HYPERLINK("http://evil.example","click")', '+SUM(1,2)', '-2+3', '@cmd', 'Plain, "quoted" course'];
    for (const [i, title] of titles.entries()) {
      const course = await addCourse(bossApi, { title, cost_cents: 1_000 * (i + 1) });
      expect((await book(bossApi, course, dept.csrs.slice(0, i + 1))).status).toBe(201);
      ctx.clock.advance(60_000);
    }
    const grouped = await addCourse(bossApi, {
      title: 'Group deal',
      cost_cents: 2_500,
      group_rule: { type: 'every_n_free', n: 4 },
    });
    expect((await book(bossApi, grouped, dept.csrs.slice(0, 4))).status).toBe(201);
    ctx.clock.advance(60_000);
    const awarded = await postForm(
      bossPage,
      '/recognition/awards',
      {
        department_id: String(dept.id),
        agent_ids: [String(dept.csrs[0].id), String(dept.csrs[1].id)],
        title: '=Top performer',
        amount: '12.34',
      },
      '/recognition',
    );
    expect(awarded.status).toBe(303);
  });

  test('the page lists every charge, newest first, with what, amount and who', async () => {
    const page = await bossPage.get(`/budget?department_id=${dept.id}`);
    const rows = tableRows(page.text, 1);
    expect(rows.map((r) => [r[2], r[3], r[4], r[5]])).toEqual([
      ['recognition', '=Top performer for 2 CSR(s)', '$24.68', '@Formula Boss'],
      ['training', 'Group deal × 4 seats (1 free)', '$75.00', '@Formula Boss'],
      ['training', 'Plain, "quoted" course × 5 seats', '$250.00', '@Formula Boss'],
      ['training', '@cmd × 4 seats', '$160.00', '@Formula Boss'],
      ['training', '-2+3 × 3 seats', '$90.00', '@Formula Boss'],
      ['training', '+SUM(1,2) × 2 seats', '$40.00', '@Formula Boss'],
      ['training', '=HYPERLINK("http://evil.example","click") × 1 seat', '$10.00', '@Formula Boss'],
    ]);
  });

  test('the CSV has the same rows and amounts as the page table', async () => {
    const page = await bossPage.get(`/budget?department_id=${dept.id}`);
    const shown = tableRows(page.text, 1);
    const csv = await bossPage.get(`/budget/${dept.id}/charges.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/attachment; filename="spend-Budget-dept-\d+\.csv"/);
    const records = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    expect(records).toHaveLength(shown.length);
    records.forEach((record, i) => {
      const [date, period, kind, what, amount, by] = shown[i];
      const unformula = (cell: string) => cell.replace(/^'(?=[=+\-@])/, '');
      expect(record.date.replace('T', ' ').slice(0, 16) + ' UTC').toBe(date);
      expect(periodLabel(record.period)).toBe(period);
      expect(record.kind).toBe(kind);
      expect(unformula(record.description)).toBe(what);
      expect(`$${Number(record.amount).toFixed(2)}`).toBe(amount);
      expect(Number(record.amount_cents)).toBe(Math.round(Number(record.amount) * 100));
      expect(unformula(record.by)).toBe(by);
      expect(record.over_budget).toBe('no');
    });
    const total = records.reduce((sum, r) => sum + Number(r.amount_cents), 0);
    expect(total).toBe(1_000 + 4_000 + 9_000 + 16_000 + 25_000 + 7_500 + 2_468);
  });

  test('cells starting with = + - @ are neutralised with a leading apostrophe; others are left alone', async () => {
    const csv = await bossPage.get(`/budget/${dept.id}/charges.csv`);
    const cells = (parse(csv.text, { from_line: 2 }) as string[][]).flat();
    expect(cells.filter((cell) => /^[=+\-@]/.test(cell))).toEqual([]);
    expect(cells).toEqual(
      expect.arrayContaining([
        `'=HYPERLINK("http://evil.example","click") × 1 seat`,
        "'+SUM(1,2) × 2 seats",
        "'-2+3 × 3 seats",
        "'@cmd × 4 seats",
        "'=Top performer for 2 CSR(s)",
        "'@Formula Boss",
        'Plain, "quoted" course × 5 seats',
      ]),
    );
    // Quoting stays valid CSV: the comma and quotes inside a title do not split the row.
    expect(csv.text).toContain('"Plain, ""quoted"" course × 5 seats"');
  });

  test("only the department's own manager (or an admin) gets the CSV", async () => {
    expect((await managerPage.get(`/budget/${dept.id}/charges.csv`)).status).toBe(404);
    const admin = await signIn(ctx.app, org.admin.username);
    expect((await admin.get(`/budget/${dept.id}/charges.csv`)).status).toBe(200);
    const csr = await signIn(ctx.app, dept.csrs[0].username);
    expect((await csr.get(`/budget/${dept.id}/charges.csv`)).status).toBe(403);
  });
});

// Last: moves the clock across period boundaries.
describe('a new period starts with the full budget', () => {
  test('a booking just after the quarter ends is charged to the new quarter, not to what is left of the old one', async () => {
    const dept = await department(100_000, 'quarter', 2);
    const course = await addCourse(managerApi, { cost_cents: 90_000, title: 'Year-end course' });
    advanceTo(ctx.clock, '2026-12-31T23:59:58.000Z');
    // Sessions time out while the clock jumps; sign in again as a person would.
    managerPage = await signIn(ctx.app, org.manager.username);
    const late = await book(managerApi, course, [dept.csrs[0]]);
    expect(late.body).toMatchObject({ over_budget: false, budget_left_cents: 10_000 });
    ctx.clock.advance(1_000);
    await award(dept, [dept.csrs[1]], '5.00', 'Q4 thanks');

    ctx.clock.advance(1_000);
    expect(ctx.clock.now().toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(await statusRow(managerPage, dept)).toEqual([dept.name, 'Q1 2027', '$1,000.00', '$0.00', '$1,000.00', '']);
    const early = await book(managerApi, course, [dept.csrs[1]]);
    expect(early.status).toBe(201);
    expect(early.body).toMatchObject({ over_budget: false, budget_left_cents: 10_000 });

    const keys = await ctx.deps.db
      .selectFrom('training_bookings')
      .select('period_key')
      .where('course_id', '=', course)
      .orderBy('id')
      .execute();
    expect(keys.map((k) => k.period_key)).toEqual(['2026-Q4', '2027-Q1']);

    // The spend page filtered to a period shows that period's charges only, and so does its CSV.
    const q4 = await managerPage.get(`/budget?department_id=${dept.id}&period=2026-Q4`);
    expect(tableRows(q4.text, 1).map((r) => [r[1], r[3], r[4]])).toEqual([
      ['Q4 2026', 'Q4 thanks for 1 CSR(s)', '$5.00'],
      ['Q4 2026', 'Year-end course × 1 seat', '$900.00'],
    ]);
    const q4csv = parse((await managerPage.get(`/budget/${dept.id}/charges.csv?period=2026-Q4`)).text, {
      columns: true,
    }) as Array<Record<string, string>>;
    expect(q4csv.map((r) => [r.period, r.amount_cents])).toEqual([
      ['2026-Q4', '500'],
      ['2026-Q4', '90000'],
    ]);
    const all = await managerPage.get(`/budget?department_id=${dept.id}`);
    expect(tableRows(all.text, 1).map((r) => r[1])).toEqual(['Q1 2027', 'Q4 2026', 'Q4 2026']);
  });

  test('a monthly budget rolls over at the month, a yearly one only at the year', async () => {
    const monthly = await department(50_000, 'month', 2);
    const yearly = await department(50_000, 'year', 2);
    const course = await addCourse(managerApi, { cost_cents: 40_000 });
    expect((await book(managerApi, course, [monthly.csrs[0]])).body).toMatchObject({ budget_left_cents: 10_000 });
    expect((await book(managerApi, course, [yearly.csrs[0]])).body).toMatchObject({ budget_left_cents: 10_000 });

    advanceTo(ctx.clock, '2027-02-01T00:00:00.000Z');
    managerPage = await signIn(ctx.app, org.manager.username);
    expect(await statusRow(managerPage, monthly)).toEqual([
      monthly.name,
      'February 2027',
      '$500.00',
      '$0.00',
      '$500.00',
      '',
    ]);
    expect((await book(managerApi, course, [monthly.csrs[1]])).body).toMatchObject({
      over_budget: false,
      budget_left_cents: 10_000,
    });
    const refused = await book(managerApi, course, [yearly.csrs[1]]);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('$100.00 is left for 2027');
  });
});
