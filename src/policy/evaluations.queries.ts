import type { Executor } from '../db/transaction';
import type { Evaluation } from '../db/schema';

// The lookups the evaluation access rules need.

export async function evaluationById(db: Executor, id: number): Promise<Evaluation | undefined> {
  return db.selectFrom('evaluations').selectAll().where('id', '=', id).executeTakeFirst();
}
