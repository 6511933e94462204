import { Kysely, sql } from 'kysely';
import { engineOf } from '../src/db/dialect';

// Sums of seconds that hold fractions (queue waits, holds and handle times are `real` on calls) were declared
// `integer` in the roll-ups. SQLite keeps 12.5 in such a column as it is (type affinity), but PostgreSQL rounds
// it (int4 in rollup_call_day, bigint in rollup_call_slot), so average waits and holds read from the roll-ups
// came out wrong there. On PostgreSQL they become double precision and every call day is recomputed; on SQLite
// nothing changes (its schema stays as frozen in test/fixtures).
const COLUMNS: Array<[table: string, column: string, was: string]> = [
  ['rollup_call_day', 'wait_total', 'integer'],
  ['rollup_call_day', 'hold_total', 'integer'],
  ['rollup_call_slot', 'wait_total', 'bigint'],
  ['rollup_call_slot', 'hold_total', 'bigint'],
  ['rollup_call_slot', 'handle_total', 'bigint'],
];

export async function up(db: Kysely<any>): Promise<void> {
  if (engineOf(db) !== 'postgres') return;
  for (const [table, column] of COLUMNS) {
    await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} type double precision`.execute(db);
  }
  // The rounded sums already stored are recomputed from the calls by the next refresh.
  await sql`insert into rollup_dirty (kind, day) select distinct 'calls', substr(started_at, 1, 10) from calls
    on conflict do nothing`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (engineOf(db) !== 'postgres') return;
  for (const [table, column, was] of COLUMNS) {
    await sql`alter table ${sql.table(table)} alter column ${sql.ref(column)} type ${sql.raw(was)}`.execute(db);
  }
}
