import type { Insertable } from 'kysely';
import type { TrainingCourse, TrainingCoursesTable } from '../db/schema';
import type { Executor } from '../db/transaction';

export async function findCourse(db: Executor, id: number): Promise<TrainingCourse | undefined> {
  return db.selectFrom('training_courses').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listCourses(db: Executor, includeRetired: boolean): Promise<TrainingCourse[]> {
  let query = db.selectFrom('training_courses').selectAll().orderBy('title');
  if (!includeRetired) query = query.where('retired_at', 'is', null);
  return query.execute();
}

export async function insertCourse(db: Executor, values: Insertable<TrainingCoursesTable>): Promise<TrainingCourse> {
  return db.insertInto('training_courses').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function markCourseRetired(db: Executor, id: number, at: string): Promise<void> {
  await db.updateTable('training_courses').set({ retired_at: at }).where('id', '=', id).execute();
}
