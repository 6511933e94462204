import { recordAudit } from '../audit';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, Forbidden, NotFound } from '../lib/errors';
import { managedDepartmentIds, type Actor } from '../policy';

export async function listAssignments(deps: AppDeps, filter: { csrId?: number; departmentIds?: number[] | 'all' }) {
  let query = deps.db
    .selectFrom('training_assignments as a')
    .innerJoin('training_bookings as b', 'b.id', 'a.booking_id')
    .innerJoin('training_courses as c', 'c.id', 'b.course_id')
    .innerJoin('users as csr', 'csr.id', 'a.csr_id')
    .select([
      'a.id',
      'a.status',
      'a.due_at',
      'a.completed_at',
      'a.confirmed_at',
      'a.created_at',
      'c.title',
      'c.provider',
      'c.duration_minutes',
      'csr.display_name as csr_name',
      'b.department_id',
    ])
    .orderBy('a.due_at')
    .limit(500);
  if (filter.csrId) query = query.where('a.csr_id', '=', filter.csrId);
  if (filter.departmentIds && filter.departmentIds !== 'all') {
    query = query.where('b.department_id', 'in', filter.departmentIds.length ? filter.departmentIds : [-1]);
  }
  return query.execute();
}

/** The CSR moves their own training on (started, completed); a manager of the department confirms completion. */
export async function progressAssignment(
  deps: AppDeps,
  actor: Actor,
  id: number,
  step: 'start' | 'complete' | 'confirm',
  ip?: string,
): Promise<void> {
  const assignment = await deps.db
    .selectFrom('training_assignments as a')
    .innerJoin('training_bookings as b', 'b.id', 'a.booking_id')
    .select(['a.id', 'a.csr_id', 'a.status', 'a.confirmed_at', 'b.department_id'])
    .where('a.id', '=', id)
    .executeTakeFirst();
  const managed = actor.role === 'manager' ? await managedDepartmentIds(deps.db, actor.id) : [];
  const visible =
    assignment &&
    (assignment.csr_id === actor.id || actor.role === 'admin' || managed.includes(assignment.department_id));
  if (!assignment || !visible) throw new NotFound('No such training.');
  const now = isoNow(deps.clock);
  let values: {
    status?: 'in_progress' | 'completed';
    completed_at?: string;
    confirmed_by?: number;
    confirmed_at?: string;
  };
  if (step === 'confirm') {
    if (actor.role !== 'manager' && actor.role !== 'admin')
      throw new Forbidden('A manager confirms completed training.');
    if (assignment.status !== 'completed')
      throw new Conflict('Only completed training can be confirmed.', 'wrong_state');
    if (assignment.confirmed_at) throw new Conflict('Already confirmed.', 'wrong_state');
    values = { confirmed_by: actor.id, confirmed_at: now };
  } else {
    if (assignment.csr_id !== actor.id) throw new Forbidden('Only the CSR marks their own training.');
    if (assignment.status === 'completed') throw new Conflict('This training is already completed.', 'wrong_state');
    if (step === 'start' && assignment.status !== 'assigned')
      throw new Conflict('This training is already started.', 'wrong_state');
    values = step === 'start' ? { status: 'in_progress' } : { status: 'completed', completed_at: now };
  }
  await deps.db.transaction().execute(async (trx) => {
    await trx.updateTable('training_assignments').set(values).where('id', '=', id).execute();
    await recordAudit(trx, now, {
      actorId: actor.id,
      action: `training.${step}`,
      entityType: 'training_assignment',
      entityId: id,
      ip,
    });
  });
}
