import { z } from 'zod';
import { recordAudit } from '../audit';
import { visibleTaskOr404 } from '../coaching';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, NotFound, Validation } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { managedDepartmentIds, type Actor } from '../policy';
import { createBooking, type BookingResult } from './bookings.service';
import { findCourse } from './courses.service';

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
  const task = await visibleTaskOr404(deps, actor, taskId);
  const course = await findCourse(deps, input.course_id);
  if (!course || course.retired_at)
    throw new Validation([{ path: 'course_id', message: 'Choose a course that can be booked.' }]);
  const team = task.team_id
    ? await deps.db.selectFrom('teams').select('department_id').where('id', '=', task.team_id).executeTakeFirst()
    : undefined;
  if (!team)
    throw new Validation([{ path: 'course_id', message: 'This CSR has no team, so no department can pay for it.' }]);
  const pending = await deps.db
    .selectFrom('training_recommendations')
    .select('id')
    .where('csr_id', '=', task.csr_id)
    .where('course_id', '=', course.id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (pending) throw new Conflict('This course is already waiting for approval for this CSR.', 'duplicate');
  const now = isoNow(deps.clock);
  return deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('training_recommendations')
      .values({
        coaching_task_id: task.id,
        csr_id: task.csr_id,
        course_id: course.id,
        department_id: team.department_id,
        recommended_by: actor.id,
        note: input.note ?? null,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, now, {
      actorId: actor.id,
      action: 'training.recommended',
      entityType: 'training_recommendation',
      entityId: row.id,
      ip,
    });
    return row.id;
  });
}

async function pendingRequestOr404(deps: AppDeps, actor: Actor, id: number) {
  const request = await deps.db
    .selectFrom('training_recommendations')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  const allowed = actor.role === 'admin' ? null : await managedDepartmentIds(deps.db, actor.id);
  if (!request || (allowed && !allowed.includes(request.department_id)))
    throw new NotFound('No such training request.');
  if (request.status !== 'pending') throw new Conflict(`This request was already ${request.status}.`, 'wrong_state');
  return request;
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
  const csr = await deps.db
    .selectFrom('users')
    .select('username')
    .where('id', '=', request.csr_id)
    .executeTakeFirstOrThrow();
  const booking = await createBooking(
    deps,
    actor,
    {
      course_id: request.course_id,
      agents: [csr.username],
      due_at: options.due_at,
      override_budget: options.override_budget,
      idempotency_key: `recommendation-${id}`,
    },
    ip,
  );
  const now = isoNow(deps.clock);
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('training_recommendations')
      .set({ status: 'approved', decided_by: actor.id, decided_at: now, booking_id: booking.id })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
    await recordAudit(trx, now, {
      actorId: actor.id,
      action: 'training.request_approved',
      entityType: 'training_recommendation',
      entityId: id,
      details: { booking_id: booking.id },
      ip,
    });
  });
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
  await deps.db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('training_recommendations')
      .set({ status: 'declined', decided_by: actor.id, decided_at: now, decline_reason: text })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new Conflict('This request was already decided.', 'wrong_state');
    await recordAudit(trx, now, {
      actorId: actor.id,
      action: 'training.request_declined',
      entityType: 'training_recommendation',
      entityId: id,
      details: { reason: text },
      ip,
    });
  });
}

export async function listRequests(
  deps: AppDeps,
  departmentIds: number[] | 'all',
  status: 'pending' | 'approved' | 'declined',
) {
  let query = deps.db
    .selectFrom('training_recommendations as r')
    .innerJoin('users as csr', 'csr.id', 'r.csr_id')
    .innerJoin('training_courses as c', 'c.id', 'r.course_id')
    .leftJoin('users as sup', 'sup.id', 'r.recommended_by')
    .select([
      'r.id',
      'r.coaching_task_id',
      'r.note',
      'r.status',
      'r.created_at',
      'r.decline_reason',
      'r.booking_id',
      'csr.display_name as csr_name',
      'c.title as course_title',
      'c.cost_cents',
      'sup.display_name as recommended_by_name',
    ])
    .where('r.status', '=', status)
    .orderBy('r.id', 'desc')
    .limit(200);
  if (departmentIds !== 'all')
    query = query.where('r.department_id', 'in', departmentIds.length ? departmentIds : [-1]);
  return query.execute();
}
