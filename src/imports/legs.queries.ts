import type { Executor } from '../db/transaction';
import type { NewCall } from '../db/schema';
import type { CallLegIds } from './csv';

/** A leg to write on a call just inserted. */
export interface NewLeg extends CallLegIds {
  call_id: number;
}

/** Rows per INSERT: three values each, well inside SQLite's and PostgreSQL's bound on a statement's values. */
const LEG_ROWS_PER_INSERT = 500;

/**
 * Writes the legs of the calls a transaction of an import inserted, a few hundred rows per statement (one
 * statement per call cost more than the rest of a CDR line's writing). A uniqueid already written stays.
 */
export async function insertNewLegs(trx: Executor, legs: NewLeg[]): Promise<void> {
  for (let i = 0; i < legs.length; i += LEG_ROWS_PER_INSERT) {
    await trx
      .insertInto('call_legs')
      .values(legs.slice(i, i + LEG_ROWS_PER_INSERT))
      .onConflict((oc) => oc.column('uniqueid').doNothing())
      .execute();
  }
}

/**
 * Writes the legs of a call that was already there (a re-import), in the import's transaction: the call is
 * looked up, and legs already written stay as they are (unique uniqueid), so importing a file again adds nothing.
 */
export async function recordLegsOfExistingCall(trx: Executor, call: NewCall, legs: CallLegIds[]): Promise<void> {
  const found = await trx
    .selectFrom('calls')
    .select('id')
    .where('source', '=', call.source ?? 'default')
    .where('external_id', '=', call.external_id)
    .executeTakeFirst();
  if (!found) return;
  await insertNewLegs(
    trx,
    legs.map((leg) => ({ call_id: found.id, uniqueid: leg.uniqueid, linkedid: leg.linkedid })),
  );
}
