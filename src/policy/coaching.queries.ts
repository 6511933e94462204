import type { Executor } from '../db/transaction';

// The lookups the coaching access rule needs.

export async function coachingTaskById(db: Executor, id: number) {
  return db.selectFrom('coaching_tasks').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function evaluationStatusOf(db: Executor, id: number) {
  const row = await db.selectFrom('evaluations').select('status').where('id', '=', id).executeTakeFirst();
  return row?.status;
}
