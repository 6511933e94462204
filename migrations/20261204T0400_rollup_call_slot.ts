import { Kysely, sql } from 'kysely';

// Intraday service level and staffing (issue 18): inbound call sums per 15-minute UTC slot and team. Every
// time zone in use today is a whole number of quarter hours off UTC, so a UTC slot lies in exactly one local
// 15-minute interval of any zone, and the center changing its zone needs no rebuild of this table: local
// days, weekdays and 15/30/60-minute intervals are summed from its slots when read. Slots are recomputed with
// the daily roll-ups, for the UTC days marked stale in rollup_dirty (kind 'calls').
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rollup_call_slot')
    .addColumn('slot', 'text', (c) => c.notNull())
    .addColumn('team_id', 'integer', (c) => c.notNull())
    .addColumn('threshold_s', 'integer', (c) => c.notNull())
    .addColumn('offered', 'integer', (c) => c.notNull())
    .addColumn('answered', 'integer', (c) => c.notNull())
    .addColumn('abandoned', 'integer', (c) => c.notNull())
    .addColumn('within_threshold', 'integer', (c) => c.notNull())
    .addColumn('wait_total', 'integer', (c) => c.notNull())
    .addColumn('hold_total', 'integer', (c) => c.notNull())
    .addColumn('handle_total', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rollup_call_slot_pk', ['slot', 'team_id'])
    .execute();

  // Every day with calls is stale until the refresh computes its slots.
  await db
    .insertInto('rollup_dirty')
    .columns(['kind', 'day'])
    .expression(
      db
        .selectFrom('calls')
        .select([sql.lit('calls').as('kind'), sql`substr(started_at, 1, 10)`.as('day')])
        // A WHERE before ON CONFLICT: SQLite would read the conflict clause as a join's ON otherwise.
        .where(sql<boolean>`true`)
        .distinct(),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rollup_call_slot').execute();
}
