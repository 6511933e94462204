import { Kysely, sql } from 'kysely';
import { engineOf } from '../src/db/dialect';

// Issues 17 and 21, the customer report at a million calls: the topics' shares are over the week's analysed calls
// (analysed audio, or a transcript), which the report counted from every call of the 90 days (211 ms on SQLite,
// 312 ms on PostgreSQL). `rollup_team_day.analysed` keeps that count per local day and team, so an all-team report
// reads teams × days rows.
//
// Kept by the stale-day mechanism (kind 'calls', the UTC day the call started): the triggers below mark the call's
// day when its analysis becomes done or stops being done, and when a call gains or loses its transcript (its start,
// team and deletion are marked by rollup_calls_*). Every day already computed is marked stale, so the next refresh
// fills the column in.

interface Trigger {
  name: string;
  table: 'call_analyses' | 'calls';
  event: string;
  /** The rows (new, old) whose call's day is marked. */
  days: Array<'new' | 'old'>;
  /** When the row matters, in SQL both engines read (a trigger's WHEN may not hold a subquery on PostgreSQL). */
  when: string;
}

const TRIGGERS: Trigger[] = [
  {
    name: 'rollup_analysed_insert',
    table: 'call_analyses',
    event: 'insert',
    days: ['new'],
    when: "new.status = 'done'",
  },
  {
    name: 'rollup_analysed_update',
    table: 'call_analyses',
    event: 'update of status, call_id',
    days: ['old', 'new'],
    when: "(old.status = 'done' or new.status = 'done') and (old.status <> new.status or old.call_id <> new.call_id)",
  },
  {
    name: 'rollup_analysed_delete',
    table: 'call_analyses',
    event: 'delete',
    days: ['old'],
    when: "old.status = 'done'",
  },
  {
    name: 'rollup_analysed_transcript',
    table: 'calls',
    event: 'update of transcript',
    days: ['new'],
    when: '(old.transcript is null) <> (new.transcript is null)',
  },
];

function dayOf(t: Trigger, ref: 'new' | 'old'): string {
  return t.table === 'calls' ? `${ref}.started_at` : `(select started_at from calls where id = ${ref}.call_id)`;
}

function sqliteMark(dayExpr: string): string {
  return `insert or ignore into rollup_dirty (kind, day) select 'calls', d from (select substr(${dayExpr}, 1, 10) as d) where d is not null;`;
}

function postgresMark(dayExpr: string): string {
  return `insert into rollup_dirty (kind, day) select 'calls', d from (select substr(${dayExpr}, 1, 10) as d) x
    where d is not null on conflict do nothing;`;
}

async function createTriggers(db: Kysely<any>): Promise<void> {
  for (const t of TRIGGERS) {
    if (engineOf(db) === 'postgres') {
      const body = t.days.map((ref) => postgresMark(dayOf(t, ref))).join(' ');
      await sql
        .raw(`create function ${t.name}() returns trigger language plpgsql as $$ begin ${body} return null; end $$`)
        .execute(db);
      await sql
        .raw(
          `create trigger ${t.name} after ${t.event} on ${t.table} for each row when (${t.when}) execute function ${t.name}()`,
        )
        .execute(db);
    } else {
      const body = t.days.map((ref) => sqliteMark(dayOf(t, ref))).join(' ');
      await sql
        .raw(`create trigger ${t.name} after ${t.event} on ${t.table} when ${t.when} begin ${body} end`)
        .execute(db);
    }
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('rollup_team_day')
    .addColumn('analysed', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await createTriggers(db);
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

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of TRIGGERS) {
    if (engineOf(db) === 'postgres') {
      await sql.raw(`drop trigger if exists ${t.name} on ${t.table}`).execute(db);
      await sql.raw(`drop function if exists ${t.name}()`).execute(db);
    } else await sql.raw(`drop trigger if exists ${t.name}`).execute(db);
  }
  await db.schema.alterTable('rollup_team_day').dropColumn('analysed').execute();
}
