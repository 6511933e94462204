import { Kysely, sql } from 'kysely';
import { engineOf } from '../src/db/dialect';

// Issue 21: the call day roll-up was one row per local day × team × category (about a fifth of `calls` at a
// million calls), so a 90-day all-team report walked tens of thousands of rows. It becomes one row per local
// day × team: the service level and CSAT sums as columns, and the calls and scorecards per category folded into
// `categories`, a JSON array of [category, calls, evaluations, scored, score_total] (summed when read).
// The new table is filled by the stale-day mechanism: every day with calls is marked stale here.

const DOUBLE = { sqlite: 'real', postgres: 'double precision' } as const;

function teamDayTable(real: string): string {
  return `create table rollup_team_day (
    day text not null,
    team_id integer not null,
    threshold_s integer not null,
    offered integer not null,
    answered integer not null,
    abandoned integer not null,
    within_threshold integer not null,
    wait_total ${real} not null,
    hold_total ${real} not null,
    csat_n integer not null,
    csat_total integer not null,
    categories text not null,
    primary key (day, team_id)
  )`;
}

/** rollup_call_day as 20261123T2100_report_rollups made it (and 20261205T0400 widened it on PostgreSQL). */
function callDayTable(real: string, wait: string): string {
  return `create table rollup_call_day (
    day text not null,
    team_id integer not null,
    category text not null,
    threshold_s integer not null,
    calls integer not null,
    offered integer not null,
    answered integer not null,
    abandoned integer not null,
    within_threshold integer not null,
    wait_total ${wait} not null,
    hold_total ${wait} not null,
    csat_n integer not null,
    csat_total integer not null,
    evaluations integer not null,
    scored integer not null,
    score_total ${real} not null,
    primary key (day, category, team_id)
  )`;
}

/**
 * The threshold setting's triggers mark the days computed for another threshold stale: they now read the table
 * named. SQLite: the triggers are made again; PostgreSQL: their functions are replaced (the triggers stay).
 */
async function thresholdTriggersOn(db: Kysely<any>, table: string): Promise<void> {
  for (const event of ['insert', 'update']) {
    const name = `rollup_settings_${event}`;
    if (engineOf(db) === 'postgres') {
      await sql
        .raw(
          `create or replace function ${name}() returns trigger language plpgsql as $$ begin
            insert into rollup_dirty (kind, day)
            select distinct 'calls', day from ${table} where threshold_s is distinct from cast(new.value as integer)
            on conflict do nothing;
          return null; end $$`,
        )
        .execute(db);
      continue;
    }
    await sql.raw(`drop trigger if exists ${name}`).execute(db);
    await sql
      .raw(
        `create trigger ${name} after ${event} on settings when new.key = 'service_level_threshold_s'
         begin insert or ignore into rollup_dirty (kind, day)
               select distinct 'calls', day from ${table} where threshold_s is not cast(new.value as integer); end`,
      )
      .execute(db);
  }
}

/** Every day with calls is stale: the next refresh computes it into the table that now exists. */
async function markCallDaysStale(db: Kysely<any>): Promise<void> {
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

export async function up(db: Kysely<any>): Promise<void> {
  const engine = engineOf(db);
  const suffix = engine === 'postgres' ? '' : ' without rowid';
  await sql.raw(teamDayTable(DOUBLE[engine]) + suffix).execute(db);
  await thresholdTriggersOn(db, 'rollup_team_day');
  await db.schema.dropTable('rollup_call_day').execute();
  await markCallDaysStale(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const engine = engineOf(db);
  const ddl =
    engine === 'postgres'
      ? callDayTable(DOUBLE.postgres, DOUBLE.postgres)
      : `${callDayTable(DOUBLE.sqlite, 'integer')} without rowid`;
  await sql.raw(ddl).execute(db);
  await thresholdTriggersOn(db, 'rollup_call_day');
  await db.schema.dropTable('rollup_team_day').execute();
  await markCallDaysStale(db);
}
