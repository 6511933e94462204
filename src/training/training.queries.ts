import type { Insertable } from 'kysely';
import type { AssignmentStatus, TrainingAssignmentsTable, TrainingBookingsTable } from '../db/schema';
import type { Executor } from '../db/transaction';
import type { DepartmentScope } from '../policy';
import { idsIn } from '../db/ids';

// Bookings of seats and the assignments they give each CSR.

/** The people named in a booking, with the department that would pay for them. */
export async function bookablePeople(db: Executor, usernames: string[]) {
  return db
    .selectFrom('users')
    .innerJoin('teams', 'teams.id', 'users.team_id')
    .select(['users.id', 'users.username', 'users.display_name', 'users.role', 'users.active', 'teams.department_id'])
    .where('users.username', 'in', usernames)
    .execute();
}

/** The active CSRs of these departments, for the booking form's list. */
export async function departmentCsrs(db: Executor, departments: DepartmentScope) {
  let query = db
    .selectFrom('users')
    .innerJoin('teams', 'teams.id', 'users.team_id')
    .innerJoin('departments', 'departments.id', 'teams.department_id')
    .select(['users.username', 'users.display_name', 'teams.name as team_name', 'departments.name as department_name'])
    .where('users.role', '=', 'csr')
    .where('users.active', '=', 1)
    .orderBy('departments.name')
    .orderBy('teams.name')
    .orderBy('users.display_name');
  if (departments !== 'all') query = query.where('departments.id', 'in', idsIn(departments));
  return query.execute();
}

/** Which of these CSRs already hold a seat of the course in one of the given (open) assignment statuses. */
export async function seatHolders(
  db: Executor,
  courseId: number,
  csrIds: number[],
  statuses: readonly AssignmentStatus[],
): Promise<Set<number>> {
  if (csrIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('training_assignments as a')
    .innerJoin('training_bookings as b', 'b.id', 'a.booking_id')
    .select('a.csr_id')
    .distinct()
    .where('b.course_id', '=', courseId)
    .where('a.csr_id', 'in', csrIds)
    .where('a.status', 'in', [...statuses])
    .execute();
  return new Set(rows.map((r) => r.csr_id));
}

export async function bookingByIdempotencyKey(db: Executor, key: string) {
  return db.selectFrom('training_bookings').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
}

export async function insertBooking(db: Executor, values: Insertable<TrainingBookingsTable>) {
  return db.insertInto('training_bookings').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function insertAssignments(db: Executor, rows: Insertable<TrainingAssignmentsTable>[]): Promise<void> {
  await db.insertInto('training_assignments').values(rows).execute();
}

export async function listAssignments(db: Executor, filter: { csrId?: number; departmentIds?: DepartmentScope }) {
  let query = db
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
    query = query.where('b.department_id', 'in', idsIn(filter.departmentIds));
  }
  return query.execute();
}

export async function findAssignment(db: Executor, id: number) {
  return db
    .selectFrom('training_assignments as a')
    .innerJoin('training_bookings as b', 'b.id', 'a.booking_id')
    .select(['a.id', 'a.csr_id', 'a.status', 'a.confirmed_at', 'b.department_id'])
    .where('a.id', '=', id)
    .executeTakeFirst();
}

export async function updateAssignment(
  db: Executor,
  id: number,
  values: Partial<
    Pick<Insertable<TrainingAssignmentsTable>, 'status' | 'completed_at' | 'confirmed_by' | 'confirmed_at'>
  >,
): Promise<void> {
  await db.updateTable('training_assignments').set(values).where('id', '=', id).execute();
}
