import { sql } from 'kysely';
import type { Executor } from '../db/transaction';
import type { NewCall } from '../db/schema';
import { engineOf } from '../db/dialect';

/** A leg to write on a call just inserted. */
export interface NewLeg {
  uniqueid: string;
  call_id: number;
}

/** Legs per statement: one JSON parameter each, so the bound is the statement's size, not its parameters. */
const LEGS_PER_INSERT = 5000;

/**
 * Writes the legs of the calls a transaction of an import inserted, thousands per statement, as one JSON array
 * the database unpacks (json_each on SQLite, json_to_recordset on PostgreSQL): building and binding two
 * parameters per leg through the query builder cost more than the database's writing of them (issue 18, a
 * 200,000-leg file). A uniqueid already written stays.
 */
export async function insertNewLegs(trx: Executor, legs: NewLeg[]): Promise<void> {
  const postgres = engineOf(trx) === 'postgres';
  for (let i = 0; i < legs.length; i += LEGS_PER_INSERT) {
    const json = JSON.stringify(legs.slice(i, i + LEGS_PER_INSERT));
    await (
      postgres
        ? sql`insert into call_legs (uniqueid, call_id)
          select l.uniqueid, l.call_id from json_to_recordset(${json}::json) as l(uniqueid text, call_id integer)
          on conflict (uniqueid) do nothing`
        : // "where true": SQLite reads an ON CONFLICT after a bare SELECT's FROM as a join's constraint.
          sql`insert into call_legs (uniqueid, call_id)
          select value ->> 'uniqueid', value ->> 'call_id' from json_each(${json}) where true
          on conflict (uniqueid) do nothing`
    ).execute(trx);
  }
}

/**
 * Writes the legs of a call that was already there (a re-import), in the import's transaction: the call is
 * looked up, and legs already written stay as they are (unique uniqueid), so importing a file again adds nothing.
 */
export async function recordLegsOfExistingCall(trx: Executor, call: NewCall, legs: string[]): Promise<void> {
  const found = await trx
    .selectFrom('calls')
    .select('id')
    .where('source', '=', call.source ?? 'default')
    .where('external_id', '=', call.external_id)
    .executeTakeFirst();
  if (!found) return;
  await insertNewLegs(
    trx,
    legs.map((uniqueid) => ({ call_id: found.id, uniqueid })),
  );
}
