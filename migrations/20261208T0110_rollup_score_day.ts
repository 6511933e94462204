import { Kysely, sql } from 'kysely';
import { engineOf } from '../src/db/dialect';

// Issue 21: the scorecard roll-up was one row per submitted day × team × rubric item, so the all-team item
// failure rates of 90 days walked days × teams × items rows. It becomes one row per local day × team, the items
// folded into `items`, a JSON array of [item_id, answered, failed] (summed when read). The new table is filled
// by the stale-day mechanism: every day with a submitted scorecard is marked stale here.

async function markScoreDaysStale(db: Kysely<any>): Promise<void> {
  await db
    .insertInto('rollup_dirty')
    .columns(['kind', 'day'])
    .expression(
      db
        .selectFrom('evaluations')
        .select([sql.lit('scores').as('kind'), sql`substr(submitted_at, 1, 10)`.as('day')])
        .where('submitted_at', 'is not', null)
        .distinct(),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

const withoutRowid = (db: Kysely<any>) => (engineOf(db) === 'postgres' ? '' : ' without rowid');

export async function up(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `create table rollup_score_day (
    day text not null,
    team_id integer not null,
    items text not null,
    primary key (day, team_id)
  )${withoutRowid(db)}`,
    )
    .execute(db);
  await db.schema.dropTable('rollup_item_day').execute();
  await markScoreDaysStale(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // rollup_item_day as 20261123T2100_report_rollups made it.
  await sql
    .raw(
      `create table rollup_item_day (
    day text not null,
    team_id integer not null,
    item_id integer not null,
    answered integer not null,
    failed integer not null,
    primary key (day, team_id, item_id)
  )${withoutRowid(db)}`,
    )
    .execute(db);
  await db.schema.dropTable('rollup_score_day').execute();
  await markScoreDaysStale(db);
}
