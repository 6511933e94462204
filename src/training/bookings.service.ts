import { recordChange } from '../audit';
import { budgetStatus, type BudgetStatus } from '../budget';
import { endOfLocalDateMs } from '../lib/zones';
import { getSettings } from '../settings';
import type { Department, TrainingCourse } from '../db/schema';
import { inTransaction, type Executor, type Tx } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, Validation } from '../lib/errors';
import { formatCents } from '../lib/money';
import { parseInput } from '../lib/validation';
import { findDepartment } from '../org';
import { inDepartments, isCsr, managedDepartments, TRAINING_SEAT_OPEN, type Actor } from '../policy';
import { findCourse } from './courses.queries';
import { priceBooking, type GroupPrice } from './pricing';
import {
  bookablePeople,
  bookingByIdempotencyKey,
  insertAssignments,
  insertBooking,
  seatHolders,
} from './training.queries';
import { bookingSchema, type BookingInput } from './training.schemas';

interface BookedCsr {
  id: number;
  username: string;
  display_name: string;
}

export interface BookingPlan {
  input: BookingInput;
  course: TrainingCourse;
  department: Department;
  csrs: BookedCsr[];
  /** Booked CSRs who already hold an open seat (assigned or in progress) of this course. */
  alreadyBooked: BookedCsr[];
  price: GroupPrice;
  budget: BudgetStatus;
  overBudget: boolean;
  dueAt: string;
}

export { formatCents };

/** A due date (due by the end of that local day in the center's zone) or an exact ISO date-time. */
function dueDate(value: string, now: Date, timeZone: string): string {
  const day = new Date(value.length === 10 ? `${value}T12:00:00Z` : value);
  if (Number.isNaN(day.getTime()) || (value.length === 10 && day.toISOString().slice(0, 10) !== value)) {
    throw new Validation([{ path: 'due_at', message: 'That due date does not exist.' }]);
  }
  const due = value.length === 10 ? new Date(endOfLocalDateMs(value, timeZone)) : day;
  if (due.getTime() < now.getTime())
    throw new Validation([{ path: 'due_at', message: 'The due date is in the past.' }]);
  return due.toISOString();
}

/** The CSRs named in a booking, all active CSRs of the actor's departments and of one department (one budget). */
async function bookedCsrs(deps: AppDeps, actor: Actor, names: string[]) {
  const rows = await bookablePeople(deps.db, names);
  const allowed = await managedDepartments(deps.db, actor);
  const found = new Map(rows.map((r) => [r.username.toLowerCase(), r]));
  const problems = names
    .filter((name) => {
      const csr = found.get(name);
      return !csr || !isCsr(csr) || !csr.active || !inDepartments(allowed, csr.department_id);
    })
    .map((name) => ({ path: 'agents', message: `No active CSR named ${name} in your departments.` }));
  if (problems.length) throw new Validation(problems);
  const [departmentId, ...others] = new Set(rows.map((r) => r.department_id));
  if (others.length > 0)
    throw new Validation([
      { path: 'agents', message: 'Book CSRs of one department at a time: each booking is charged to one budget.' },
    ]);
  const department = departmentId === undefined ? undefined : await findDepartment(deps.db, departmentId);
  if (!department) throw new Error("A booked CSR's team belongs to no department.");
  const csrs = rows.map((r) => ({ id: r.id, username: r.username, display_name: r.display_name }));
  return { department, csrs };
}

/** The CSRs of the booking who hold an open seat of the course already. */
async function openSeatHolders(db: Executor, courseId: number, csrs: BookedCsr[]): Promise<BookedCsr[]> {
  const holders = await seatHolders(
    db,
    courseId,
    csrs.map((c) => c.id),
    TRAINING_SEAT_OPEN,
  );
  return csrs.filter((c) => holders.has(c.id));
}

/** A booking that would give a CSR a second open seat of the same course needs allow_rebook (409 without). */
function rebookRefusal(holders: BookedCsr[], allowed: boolean): Conflict | null {
  if (holders.length === 0 || allowed) return null;
  const names = holders.map((c) => `${c.display_name} (${c.username})`).join(', ');
  const verb = holders.length === 1 ? 'holds' : 'hold';
  return new Conflict(
    `Already booked: ${names} already ${verb} an open seat for this course. Leave them out, or book them again on purpose (allow_rebook).`,
    'already_booked',
  );
}

/** Checks a booking and prices it against the department's budget for the current period, without booking. */
export async function planBooking(deps: AppDeps, actor: Actor, raw: unknown): Promise<BookingPlan> {
  const input = parseInput(bookingSchema, raw);
  const now = deps.clock.now();
  const course = await findCourse(deps.db, input.course_id);
  if (!course) throw new Validation([{ path: 'course_id', message: 'No such course.' }]);
  if (course.retired_at)
    throw new Validation([{ path: 'course_id', message: 'This course is retired and cannot be booked.' }]);
  const names = [...new Set(input.agents.map((a) => a.toLowerCase()))];
  const { department, csrs } = await bookedCsrs(deps, actor, names);
  const dueAt = dueDate(input.due_at, now, (await getSettings(deps.db)).time_zone);
  const price = priceBooking(course, names.length);
  const budget = await budgetStatus(deps.db, department, now);
  return {
    input,
    course,
    department,
    csrs,
    alreadyBooked: await openSeatHolders(deps.db, course.id, csrs),
    price,
    budget,
    overBudget: price.total_cents > budget.remaining_cents,
    dueAt,
  };
}

export interface BookingResult {
  id: number;
  seats: number;
  free_seats: number;
  price_per_seat_cents: number;
  total_cents: number;
  budget_left_cents: number;
  over_budget: boolean;
  created: boolean;
}

/**
 * Books the seats and charges the department's budget for this period. Over budget needs the explicit
 * override, which is flagged. The same idempotency key again returns the first booking: no double charge.
 */
export async function createBooking(deps: AppDeps, actor: Actor, raw: unknown, ip?: string): Promise<BookingResult> {
  const plan = await planBooking(deps, actor, raw);
  return inTransaction(deps.db, async (trx) => {
    if (plan.input.idempotency_key) {
      const earlier = await bookingByIdempotencyKey(trx, plan.input.idempotency_key);
      if (earlier) {
        const status = await budgetStatus(trx, plan.department, deps.clock.now());
        return { ...resultOf(earlier, status.remaining_cents), created: false };
      }
    }
    return chargeBooking(deps, trx, actor, plan, ip);
  });
}

/** Inside the booking's unit of work: checks the budget again, then books the seats and assigns the CSRs. */
async function chargeBooking(
  deps: AppDeps,
  trx: Tx,
  actor: Actor,
  plan: BookingPlan,
  ip?: string,
): Promise<BookingResult> {
  const now = isoNow(deps.clock);
  const refused = rebookRefusal(await openSeatHolders(trx, plan.course.id, plan.csrs), plan.input.allow_rebook);
  if (refused) throw refused;
  // Re-read inside the transaction: another booking may have used the budget since the preview.
  const budget = await budgetStatus(trx, plan.department, deps.clock.now());
  const over = plan.price.total_cents > budget.remaining_cents;
  if (over && !plan.input.override_budget) {
    const cost = formatCents(plan.price.total_cents, deps.config.currency);
    const left = formatCents(budget.remaining_cents, deps.config.currency);
    throw new Conflict(
      `Over budget: this booking costs ${cost} and ${left} is left for ${budget.period_label}. Tick the override to book anyway.`,
      'over_budget',
    );
  }
  const booking = await insertBooking(trx, {
    course_id: plan.course.id,
    department_id: plan.department.id,
    booked_by: actor.id,
    seats: plan.price.seats,
    price_per_seat_cents: plan.price.price_per_seat_cents,
    free_seats: plan.price.free_seats,
    total_cents: plan.price.total_cents,
    // The period just checked: the booking is charged where its budget was read.
    period_key: budget.period_key,
    due_at: plan.dueAt,
    over_budget: over ? 1 : 0,
    idempotency_key: plan.input.idempotency_key ?? null,
    created_at: now,
  });
  await insertAssignments(
    trx,
    plan.csrs.map((c) => ({ booking_id: booking.id, csr_id: c.id, due_at: plan.dueAt, created_at: now })),
  );
  const action = over ? 'training.booked_over_budget' : 'training.booked';
  await recordChange(trx, now, { actorId: actor.id, ip }, action, ['training_booking', booking.id], {
    course: plan.course.title,
    seats: plan.price.seats,
    total_cents: plan.price.total_cents,
    budget_left_cents: budget.remaining_cents,
    override: over,
  });
  return { ...resultOf(booking, budget.remaining_cents - booking.total_cents), created: true };
}

function resultOf(
  booking: {
    id: number;
    seats: number;
    free_seats: number;
    price_per_seat_cents: number;
    total_cents: number;
    over_budget: number;
  },
  left: number,
) {
  return {
    id: booking.id,
    seats: booking.seats,
    free_seats: booking.free_seats,
    price_per_seat_cents: booking.price_per_seat_cents,
    total_cents: booking.total_cents,
    budget_left_cents: left,
    over_budget: booking.over_budget === 1,
  };
}
