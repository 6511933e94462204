import type { Insertable } from 'kysely';
import type { TrainingRecommendationsTable } from '../db/schema';
import type { Executor } from '../db/transaction';
import type { DepartmentScope } from '../policy';
import { idsIn } from '../db/ids';

// Training a supervisor recommends from a coaching task, waiting for a manager's decision.

export async function departmentOfTeam(db: Executor, teamId: number): Promise<number | undefined> {
  const team = await db.selectFrom('teams').select('department_id').where('id', '=', teamId).executeTakeFirst();
  return team?.department_id;
}

export async function pendingRecommendation(db: Executor, csrId: number, courseId: number) {
  return db
    .selectFrom('training_recommendations')
    .select('id')
    .where('csr_id', '=', csrId)
    .where('course_id', '=', courseId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
}

export async function insertRecommendation(
  db: Executor,
  values: Insertable<TrainingRecommendationsTable>,
): Promise<number> {
  const row = await db.insertInto('training_recommendations').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function findRecommendation(db: Executor, id: number) {
  return db.selectFrom('training_recommendations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function usernameOf(db: Executor, userId: number): Promise<string> {
  const user = await db.selectFrom('users').select('username').where('id', '=', userId).executeTakeFirstOrThrow();
  return user.username;
}

/** Decides a request still pending; returns whether it was (false: someone decided it meanwhile). */
export async function decidePendingRecommendation(
  db: Executor,
  id: number,
  decision:
    | { status: 'approved'; decided_by: number; decided_at: string; booking_id: number }
    | { status: 'declined'; decided_by: number; decided_at: string; decline_reason: string },
): Promise<boolean> {
  const result = await db
    .updateTable('training_recommendations')
    .set(decision)
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function listRequests(
  db: Executor,
  departmentIds: DepartmentScope,
  status: 'pending' | 'approved' | 'declined',
) {
  let query = db
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
  if (departmentIds !== 'all') query = query.where('r.department_id', 'in', idsIn(departmentIds));
  return query.execute();
}

/** The training recommended from one coaching task, shown on the task's page. */
export async function recommendationsOfTask(db: Executor, taskId: number) {
  return db
    .selectFrom('training_recommendations as r')
    .innerJoin('training_courses as c', 'c.id', 'r.course_id')
    .select(['r.id', 'r.status', 'r.decline_reason', 'c.title'])
    .where('r.coaching_task_id', '=', taskId)
    .execute();
}
