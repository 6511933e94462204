import type { Executor } from '../db/transaction';
import type { Dispute } from '../db/schema';

// The lookups the dispute access rules need.

export async function disputeById(db: Executor, id: number): Promise<Dispute | undefined> {
  return db.selectFrom('disputes').selectAll().where('id', '=', id).executeTakeFirst();
}
