/**
 * A small training catalogue (made with the app's course service) and, per department and budget quarter,
 * a few group bookings priced with the app's own group pricing and kept within the department's budget,
 * with one assignment per booked CSR (done for past due dates, in progress or assigned for current ones).
 */
import { periodKey } from '../../src/budget/budget';
import type { TrainingCourse } from '../../src/db/schema';
import { createCourse } from '../../src/training/courses.service';
import { priceBooking } from '../../src/training/pricing';
import { SeedClock, seedDeps } from './app-deps';
import type { SeedContext } from './hooks';

const DAY_MS = 86_400_000;

const COURSES = [
  {
    title: 'De-escalation essentials',
    provider: 'CalmLine Academy',
    description: 'Handling upset callers without losing the thread.',
    duration_minutes: 180,
    cost_cents: 12_000,
    group_rule: { type: 'every_n_free' as const, n: 4 },
  },
  {
    title: 'Returns and refunds policy refresher',
    provider: 'In-house',
    duration_minutes: 60,
    cost_cents: 4_500,
    group_rule: { type: 'percent_off' as const, min_seats: 5, percent: 20 },
  },
  {
    title: 'Identity verification and fraud awareness',
    provider: 'In-house',
    duration_minutes: 90,
    cost_cents: 3_000,
    group_rule: null,
  },
  {
    title: 'Technical troubleshooting basics',
    provider: 'TechSkills Co',
    duration_minutes: 240,
    cost_cents: 18_000,
    group_rule: { type: 'percent_off' as const, min_seats: 8, percent: 15 },
  },
  {
    title: 'Clear follow-up emails',
    provider: 'Wordsmith Training',
    duration_minutes: 120,
    cost_cents: 8_000,
    group_rule: { type: 'every_n_free' as const, n: 5 },
  },
];

export interface TrainingSeed {
  courses: number;
  bookings: number;
  assignments: number;
}

export async function seedTrainingRows(ctx: SeedContext): Promise<TrainingSeed> {
  const { rng, org } = ctx;
  const { periodStartMs, periodEndMs: nowMs } = ctx.calls;
  const clock = new SeedClock(periodStartMs - 28 * DAY_MS);
  const deps = seedDeps(ctx.sqlite, clock);
  const admin = { id: org.adminId, role: 'admin' as const };
  const courses: TrainingCourse[] = [];
  for (const course of COURSES) {
    courses.push(await createCourse(deps, admin, course));
    clock.ms += 60_000;
  }

  const csrsOfDepartment = new Map<number, number[]>();
  for (const team of org.teams) {
    const active = team.csrIds.filter((id) => org.users.find((u) => u.id === id)?.active);
    csrsOfDepartment.set(team.departmentId, [...(csrsOfDepartment.get(team.departmentId) ?? []), ...active]);
  }

  const bookingColumns = [
    'id', 'course_id', 'department_id', 'booked_by', 'seats', 'price_per_seat_cents', 'free_seats', 'total_cents',
    'period_key', 'due_at', 'over_budget', 'idempotency_key', 'created_at',
  ]; // prettier-ignore
  const assignmentColumns = [
    'id', 'booking_id', 'csr_id', 'status', 'due_at', 'completed_at', 'confirmed_by', 'confirmed_at', 'created_at',
  ]; // prettier-ignore
  interface Planned {
    createdMs: number;
    booking: unknown[];
    assignments: unknown[][];
  }
  const planned: Planned[] = [];
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  for (const department of org.departments) {
    const pool = csrsOfDepartment.get(department.id) ?? [];
    if (pool.length === 0) continue;
    const committed = new Map<string, number>();
    // One to three bookings a month, each charged to the quarter it is made in, within the budget.
    for (let monthMs = periodStartMs; monthMs < nowMs; monthMs += 30 * DAY_MS) {
      const n = 1 + rng.int(3);
      for (let b = 0; b < n; b += 1) {
        const createdMs = monthMs + rng.next() * Math.min(30 * DAY_MS, nowMs - monthMs);
        const course = rng.pick(courses);
        const seats = Math.min(pool.length, 3 + rng.int(10));
        const price = priceBooking(course, seats);
        const key = periodKey(new Date(createdMs), 'quarter', 'UTC');
        const spent = committed.get(key) ?? 0;
        if (spent + price.total_cents > department.budgetCents) continue;
        committed.set(key, spent + price.total_cents);
        const dueDay = Math.floor((createdMs + (30 + rng.int(30)) * DAY_MS) / DAY_MS) * DAY_MS;
        const dueMs = dueDay + DAY_MS - 1;
        const booking = [
          0,
          course.id,
          department.id,
          department.managerId,
          seats,
          price.price_per_seat_cents,
          price.free_seats,
          price.total_cents,
          key,
          iso(dueMs),
          0,
          null,
          iso(createdMs),
        ];
        const chosen = new Set<number>();
        while (chosen.size < seats) chosen.add(rng.pick(pool));
        const rows: unknown[][] = [];
        for (const csrId of chosen) {
          let status: 'assigned' | 'in_progress' | 'completed' = 'assigned';
          let completedMs: number | null = null;
          let confirmedMs: number | null = null;
          const r = rng.next();
          if (dueMs < nowMs ? r < 0.85 : r < 0.2 && createdMs + 7 * DAY_MS < nowMs) {
            completedMs = Math.min(nowMs - DAY_MS, createdMs + (0.2 + 0.8 * rng.next()) * (dueMs - createdMs));
            status = 'completed';
            if (rng.chance(0.7)) {
              const at = completedMs + (1 + rng.int(3)) * DAY_MS;
              if (at < nowMs) confirmedMs = at;
            }
          } else if (dueMs < nowMs ? r < 0.95 : r < 0.6) {
            status = 'in_progress';
          }
          rows.push([
            0,
            0,
            csrId,
            status,
            iso(dueMs),
            iso(completedMs),
            confirmedMs === null ? null : department.managerId,
            iso(confirmedMs),
            iso(createdMs),
          ]);
        }
        planned.push({ createdMs, booking, assignments: rows });
      }
    }
  }
  // Ids follow booking time, as they would when booked one by one.
  planned.sort((a, b) => a.createdMs - b.createdMs);
  const bookings: unknown[][] = [];
  const assignments: unknown[][] = [];
  for (const p of planned) {
    const bookingId = bookings.length + 1;
    p.booking[0] = bookingId;
    bookings.push(p.booking);
    for (const a of p.assignments) {
      a[0] = assignments.length + 1;
      a[1] = bookingId;
      assignments.push(a);
    }
  }
  ctx.bulkInsert('training_bookings', bookingColumns, bookings);
  ctx.bulkInsert('training_assignments', assignmentColumns, assignments);
  return { courses: courses.length, bookings: bookings.length, assignments: assignments.length };
}
