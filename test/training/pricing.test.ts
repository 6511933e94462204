import type { User } from '../../src/db/schema';
import { priceBooking } from '../../src/training/pricing';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, buildUser, type Org } from '../helpers/builders';
import { api, tokenFor, type Api } from '../helpers/scoring';
import { addCourse, dateIn } from '../helpers/training';

// Group prices: "one seat in every N free" and "P% off from M seats", in integer cents, both as the pure rule
// and as the booking API charges them.

type Rule = { group_rule: 'every_n_free' | 'percent_off' | null } & Partial<{
  group_n: number;
  group_min_seats: number;
  group_percent: number;
}>;

function course(cost_cents: number, rule: Rule = { group_rule: null }) {
  return { cost_cents, group_n: null, group_min_seats: null, group_percent: null, ...rule };
}

describe('one free seat in every 4', () => {
  const every4 = course(12_500, { group_rule: 'every_n_free', group_n: 4 });

  test.each([
    [1, 0, 12_500],
    [3, 0, 37_500],
    [4, 1, 37_500],
    [5, 1, 50_000],
    [8, 2, 75_000],
    [9, 2, 87_500],
  ])('%i seat(s): %i free, total %i cents', (seats, free, total) => {
    const price = priceBooking(every4, seats);
    expect(price).toEqual({
      seats,
      price_per_seat_cents: 12_500,
      free_seats: free,
      discount_cents: free * 12_500,
      total_cents: total,
      rule: 'one free seat in every 4',
    });
  });
});

describe('a percentage off from a number of seats', () => {
  // 15% off from 5 seats, on a price that does not divide evenly.
  const bulk = course(999, { group_rule: 'percent_off', group_min_seats: 5, group_percent: 15 });

  test('below the minimum every seat is paid in full and no seat is free', () => {
    expect(priceBooking(bulk, 4)).toEqual({
      seats: 4,
      price_per_seat_cents: 999,
      free_seats: 0,
      discount_cents: 0,
      total_cents: 3_996,
      rule: '15% off from 5 seats',
    });
  });

  test('at the minimum the whole booking is discounted, rounded to the nearest cent (half up)', () => {
    // 5 × 999 = 4995; × 0.85 = 4245.75 → 4246.
    expect(priceBooking(bulk, 5)).toMatchObject({ free_seats: 0, total_cents: 4_246, discount_cents: 749 });
    // 7 × 999 = 6993; × 0.85 = 5944.05 → 5944.
    expect(priceBooking(bulk, 7)).toMatchObject({ total_cents: 5_944, discount_cents: 1_049 });
  });

  test('an exact half cent rounds up', () => {
    // 50 × 0.67 = 33.5 → 34.
    expect(
      priceBooking(course(50, { group_rule: 'percent_off', group_min_seats: 1, group_percent: 33 }), 1),
    ).toMatchObject({ total_cents: 34 });
  });

  test('totals are always whole cents', () => {
    const odd = course(333, { group_rule: 'percent_off', group_min_seats: 2, group_percent: 12.5 });
    for (let seats = 1; seats <= 40; seats++) {
      const { total_cents } = priceBooking(odd, seats);
      expect(Number.isInteger(total_cents)).toBe(true);
      expect(total_cents).toBe(seats < 2 ? 333 : Math.round(333 * seats * 0.875));
    }
  });
});

test('with no group rule every seat is paid and no rule is described', () => {
  expect(priceBooking(course(4_200), 9)).toEqual({
    seats: 9,
    price_per_seat_cents: 4_200,
    free_seats: 0,
    discount_cents: 0,
    total_cents: 37_800,
    rule: null,
  });
});

describe('the booking API charges the group price', () => {
  let ctx: TestContext;
  let org: Org;
  let managerApi: Api;
  let csrs: User[];

  beforeAll(async () => {
    ctx = makeTestApp();
    org = await buildOrg(ctx.deps);
    managerApi = api(ctx.app, await tokenFor(ctx.deps, org.manager));
    const extra = [];
    for (let i = 0; i < 6; i++) extra.push(await buildUser(ctx.deps, 'csr', { team_id: org.teamA }));
    csrs = [org.csrA, org.csrA2, org.csrB, ...extra];
  });
  afterAll(async () => ctx.close());

  async function book(courseId: number, seats: number) {
    return managerApi.post('/api/v1/training/bookings', {
      course_id: courseId,
      agents: csrs.slice(0, seats).map((c) => c.username),
      due_at: dateIn(ctx.clock, 30),
    });
  }

  test('five seats with one free in every 4: one free seat, four paid, as stored on the booking', async () => {
    const id = await addCourse(managerApi, { cost_cents: 12_500, group_rule: { type: 'every_n_free', n: 4 } });
    const res = await book(id, 5);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ seats: 5, free_seats: 1, price_per_seat_cents: 12_500, total_cents: 50_000 });
    const stored = await ctx.deps.db
      .selectFrom('training_bookings')
      .selectAll()
      .where('id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ seats: 5, free_seats: 1, total_cents: 50_000 });
  });

  test('nine seats at 15% off from 5 seats: rounded to the cent', async () => {
    const id = await addCourse(managerApi, {
      cost_cents: 999,
      group_rule: { type: 'percent_off', min_seats: 5, percent: 15 },
    });
    const res = await book(id, 9);
    expect(res.status).toBe(201);
    // 9 × 999 = 8991; × 0.85 = 7642.35 → 7642.
    expect(res.body).toMatchObject({ seats: 9, free_seats: 0, total_cents: 7_642 });
  });

  test('the same CSR named twice is not priced at all: 422 at the second name (test/training/rebook.test.ts)', async () => {
    const id = await addCourse(managerApi, { cost_cents: 2_000 });
    const res = await managerApi.post('/api/v1/training/bookings', {
      course_id: id,
      agents: [org.csrA.username, org.csrA.username.toUpperCase()],
      due_at: dateIn(ctx.clock, 30),
    });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].path).toBe('agents.1');
  });
});
