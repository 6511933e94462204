import type { Executor } from '../db/transaction';
import type { Call } from '../db/schema';
import { CSR_VISIBLE } from './statuses';

export async function callById(db: Executor, callId: number): Promise<Call | undefined> {
  return db.selectFrom('calls').selectAll().where('id', '=', callId).executeTakeFirst();
}

/** Whether the CSR has a released (visible to them) standard evaluation of this call. */
export async function hasReleasedEvaluationOf(db: Executor, callId: number, csrId: number): Promise<boolean> {
  const released = await db
    .selectFrom('evaluations')
    .select('id')
    .where('call_id', '=', callId)
    .where('agent_id', '=', csrId)
    .where('kind', '=', 'standard')
    .where('status', 'in', CSR_VISIBLE)
    .executeTakeFirst();
  return released !== undefined;
}
