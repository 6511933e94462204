import type { Executor } from '../db/transaction';
import type { NewCall } from '../db/schema';
import type { CallLegIds } from './csv';

/**
 * Writes the legs of a call imported from a phone system's file, in the import's transaction. `callId` is
 * null when the call was already there (a re-import): it is looked up, and legs already written stay as they
 * are (unique uniqueid), so importing a file again adds nothing.
 */
export async function recordCallLegs(
  trx: Executor,
  callId: number | null,
  call: NewCall,
  legs: CallLegIds[],
): Promise<void> {
  let id = callId;
  if (id === null) {
    const found = await trx
      .selectFrom('calls')
      .select('id')
      .where('source', '=', call.source ?? 'default')
      .where('external_id', '=', call.external_id)
      .executeTakeFirst();
    if (!found) return;
    id = found.id;
  }
  const callIdOfLegs = id;
  await trx
    .insertInto('call_legs')
    .values(legs.map((leg) => ({ call_id: callIdOfLegs, uniqueid: leg.uniqueid, linkedid: leg.linkedid })))
    .onConflict((oc) => oc.column('uniqueid').doNothing())
    .execute();
}
