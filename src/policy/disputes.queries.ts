import type { Executor } from '../db/transaction';
import type { Dispute } from '../db/schema';

// The lookups the dispute access rules need.

export async function disputeById(db: Executor, id: number): Promise<Dispute | undefined> {
  return db.selectFrom('disputes').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function openDisputeIdOf(db: Executor, evaluationId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('disputes')
    .select('id')
    .where('evaluation_id', '=', evaluationId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return row?.id;
}
