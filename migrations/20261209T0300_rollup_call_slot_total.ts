import { Kysely, sql } from 'kysely';
import { engineOf } from '../src/db/dialect';

// Issue 18: the interval report over all teams summed rollup_call_slot's rows per slot and team, and with many
// teams a slot's calls are spread so thin that the table holds nearly a row per inbound call (about 150,000 rows
// for 90 days at a million calls a year with 50 teams): 140 ms. rollup_call_slot_total holds the same sums per
// 15-minute UTC slot over every team (team 0, no team, included), written beside rollup_call_slot in the same
// unit of work, so an all-team read walks at most 96 rows a day. Filled here from rollup_call_slot.

const DOUBLE = { sqlite: 'real', postgres: 'double precision' } as const;

export async function up(db: Kysely<any>): Promise<void> {
  const engine = engineOf(db);
  const real = DOUBLE[engine];
  await sql
    .raw(
      `create table rollup_call_slot_total (
        slot text not null primary key,
        threshold_s integer not null,
        offered integer not null,
        answered integer not null,
        abandoned integer not null,
        within_threshold integer not null,
        wait_total ${real} not null,
        hold_total ${real} not null,
        handle_total ${real} not null
      )${engine === 'postgres' ? '' : ' without rowid'}`,
    )
    .execute(db);
  await sql`
    insert into rollup_call_slot_total (slot, threshold_s, offered, answered, abandoned, within_threshold,
      wait_total, hold_total, handle_total)
    select slot, max(threshold_s), sum(offered), sum(answered), sum(abandoned), sum(within_threshold),
      sum(wait_total), sum(hold_total), sum(handle_total)
    from rollup_call_slot group by slot`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rollup_call_slot_total').execute();
}
