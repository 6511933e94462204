import { Kysely, sql } from 'kysely';
import { engineOf } from '../../src/db/dialect';

// Row triggers that mark the UTC day a call started as stale for the 'calls' roll-ups (rollup_dirty, see
// 20261123T2100_report_rollups), on both engines: a SQLite trigger, or a plpgsql function and its trigger.

export interface StaleDayTrigger {
  name: string;
  /** The event as SQL: 'insert', 'update of status', 'delete'. */
  event: string;
  table: string;
  /** The rows (new, old) whose call's day is marked. */
  days: ReadonlyArray<'new' | 'old'>;
  /** Whether the row is a call (`self`: its own started_at) or refers to one by call_id (`call`). */
  of: 'self' | 'call';
  /** When the row matters: SQL over new/old that both engines read (no subquery: PostgreSQL refuses one). */
  when?: string;
}

function dayOf(t: StaleDayTrigger, ref: 'new' | 'old'): string {
  return t.of === 'self' ? `${ref}.started_at` : `(select started_at from calls where id = ${ref}.call_id)`;
}

/**
 * Not `insert or ignore`: SQLite applies the conflict policy of the statement that fired the trigger to the
 * trigger's own statements, so under an upsert (`on conflict … do update`, which re-queues an analysis) an
 * already stale day failed the unique key instead of being ignored.
 */
function sqliteMark(dayExpr: string): string {
  return `insert into rollup_dirty (kind, day) select 'calls', d from (select substr(${dayExpr}, 1, 10) as d)
    where d is not null and not exists (select 1 from rollup_dirty r where r.kind = 'calls' and r.day = d);`;
}

// For the text timestamps of the migrations before 20261215T0100_timestamptz, which rewrites these bodies for
// timestamptz; a trigger made after it takes a day with utcDaySql (src/db/dialect.ts).
function postgresMark(dayExpr: string): string {
  return `insert into rollup_dirty (kind, day) select 'calls', d from (select substr(${dayExpr}, 1, 10) as d) x
    where d is not null on conflict do nothing;`;
}

export async function createStaleDayTriggers(db: Kysely<any>, triggers: readonly StaleDayTrigger[]): Promise<void> {
  for (const t of triggers) {
    if (engineOf(db) === 'postgres') {
      const body = t.days.map((ref) => postgresMark(dayOf(t, ref))).join(' ');
      const when = t.when ? ` when (${t.when})` : '';
      await sql
        .raw(`create function ${t.name}() returns trigger language plpgsql as $$ begin ${body} return null; end $$`)
        .execute(db);
      await sql
        .raw(`create trigger ${t.name} after ${t.event} on ${t.table} for each row${when} execute function ${t.name}()`)
        .execute(db);
    } else {
      const body = t.days.map((ref) => sqliteMark(dayOf(t, ref))).join(' ');
      const when = t.when ? ` when ${t.when}` : '';
      await sql.raw(`create trigger ${t.name} after ${t.event} on ${t.table}${when} begin ${body} end`).execute(db);
    }
  }
}

export async function dropStaleDayTriggers(db: Kysely<any>, triggers: readonly StaleDayTrigger[]): Promise<void> {
  for (const t of triggers) {
    if (engineOf(db) === 'postgres') {
      await sql.raw(`drop trigger if exists ${t.name} on ${t.table}`).execute(db);
      await sql.raw(`drop function if exists ${t.name}()`).execute(db);
    } else await sql.raw(`drop trigger if exists ${t.name}`).execute(db);
  }
}

/** Marks every day the team day roll-up holds as stale (a new column): the next refresh computes them again. */
export async function markTeamDaysStale(db: Kysely<any>): Promise<void> {
  await db
    .insertInto('rollup_dirty')
    .columns(['kind', 'day'])
    .expression(
      db
        .selectFrom('rollup_team_day')
        .select([sql.lit('calls').as('kind'), 'day'])
        // A WHERE before ON CONFLICT: SQLite would read the conflict clause as a join's ON otherwise.
        .where(sql<boolean>`true`)
        .distinct(),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}
