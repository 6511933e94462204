import { z } from 'zod';
import { recordChange } from '../audit';
import { inTransaction, type Tx } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, NotFound, Validation } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { inDepartments, managedDepartments, visibleCoachingTaskOr404, type Actor } from '../policy';
import { createBooking, type BookingResult } from './bookings.service';
import { findCourse } from './courses.queries';
import {
  decidePendingRecommendation,
  departmentOfTeam,
  findRecommendation,
  insertRecommendation,
  pendingRecommendation,
  usernameOf,
} from './requests.queries';

const recommendSchema = z.object({
  course_id: z.coerce.number({ error: 'Choose a course.' }).int().positive('Choose a course.'),
  note: z.preprocess((v) => (v === '' ? undefined : v), z.string().trim().max(1000).optional()),
});

/** A supervisor recommends a course from a coaching task; it waits in the manager's queue. */
export async function recommendTraining(
  deps: AppDeps,
  actor: Actor,
  taskId: number,
  raw: unknown,
  ip?: string,
): Promise<number> {
  const input = parseInput(recommendSchema, raw);
  const task = await visibleCoachingTaskOr404(deps.db, actor, taskId);
  const course = await findCourse(deps.db, input.course_id);
  if (!course || course.retired_at)
    throw new Validation([{ path: 'course_id', message: 'Choose a course that can be booked.' }]);
  const departmentId = task.team_id ? await departmentOfTeam(deps.db, task.team_id) : undefined;
  if (departmentId === undefined)
    throw new Validation([{ path: 'course_id', message: 'This CSR has no team, so no department can pay for it.' }]);
  if (await pendingRecommendation(deps.db, task.csr_id, course.id))
    throw new Conflict('This course is already waiting for approval for this CSR.', 'duplicate');
  const now = isoNow(deps.clock);
  return inTransaction(deps.db, async (trx) => {
    const id = await insertRecommendation(trx, {
      coaching_task_id: task.id,
      csr_id: task.csr_id,
      course_id: course.id,
      department_id: departmentId,
      recommended_by: actor.id,
      note: input.note ?? null,
      created_at: now,
    });
    await recordChange(trx, now, { actorId: actor.id, ip }, 'training.recommended', ['training_recommendation', id]);
    return id;
  });
}

async function pendingRequestOr404(deps: AppDeps, actor: Actor, id: number) {
  const request = await findRecommendation(deps.db, id);
  const allowed = await managedDepartments(deps.db, actor);
  if (!request || !inDepartments(allowed, request.department_id)) throw new NotFound('No such training request.');
  if (request.status !== 'pending') throw new Conflict(`This request was already ${request.status}.`, 'wrong_state');
  return request;
}

type Decision = { status: 'approved'; booking_id: number } | { status: 'declined'; decline_reason: string };

/**
 * A manager's decision on a request, stamped with who and when, and its audit entry (the booking approved, or the
 * reason declined); false when the request was no longer pending.
 */
async function recordDecision(trx: Tx, now: string, actor: Actor, id: number, decision: Decision, ip?: string) {
  const decided = await decidePendingRecommendation(trx, id, { ...decision, decided_by: actor.id, decided_at: now });
  const details =
    decision.status === 'approved' ? { booking_id: decision.booking_id } : { reason: decision.decline_reason };
  const action = `training.request_${decision.status}`;
  await recordChange(trx, now, { actorId: actor.id, ip }, action, ['training_recommendation', id], details);
  return decided;
}

/** Approving books the course for the CSR (one seat, budget rules apply) and links the booking. */
export async function approveRequest(
  deps: AppDeps,
  actor: Actor,
  id: number,
  options: { due_at: string; override_budget: boolean },
  ip?: string,
): Promise<BookingResult> {
  const request = await pendingRequestOr404(deps, actor, id);
  const username = await usernameOf(deps.db, request.csr_id);
  const booking = await createBooking(
    deps,
    actor,
    {
      course_id: request.course_id,
      agents: [username],
      due_at: options.due_at,
      override_budget: options.override_budget,
      idempotency_key: `recommendation-${id}`,
    },
    ip,
  );
  const now = isoNow(deps.clock);
  const approval: Decision = { status: 'approved', booking_id: booking.id };
  await inTransaction(deps.db, (trx) => recordDecision(trx, now, actor, id, approval, ip));
  return booking;
}

export async function declineRequest(
  deps: AppDeps,
  actor: Actor,
  id: number,
  reason: unknown,
  ip?: string,
): Promise<void> {
  const text = typeof reason === 'string' ? reason.trim() : '';
  if (text.length < 3) throw new Validation([{ path: 'reason', message: 'Say why you decline, for the supervisor.' }]);
  if (text.length > 1000) throw new Validation([{ path: 'reason', message: 'The reason is at most 1000 characters.' }]);
  await pendingRequestOr404(deps, actor, id);
  const now = isoNow(deps.clock);
  await inTransaction(deps.db, async (trx) => {
    const decided = await recordDecision(trx, now, actor, id, { status: 'declined', decline_reason: text }, ip);
    // The entry goes with the transaction this rolls back.
    if (!decided) throw new Conflict('This request was already decided.', 'wrong_state');
  });
}
