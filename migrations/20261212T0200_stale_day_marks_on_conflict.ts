import { Kysely, sql } from 'kysely';
import { engineOf } from '../src/db/dialect';

// The first roll-up triggers (20261123T2100, SQLite only: PostgreSQL's are plpgsql functions) mark a day stale
// with INSERT OR IGNORE. SQLite lets the conflict policy of the statement that fired a trigger override the
// trigger's own, so an upsert that updated a watched row (calls, evaluations, evaluation_answers, settings)
// failed on a day already marked: UNIQUE constraint failed: rollup_dirty. The app wrote around it (settings as
// update-else-insert); this makes the triggers safe for any statement: an upsert clause of the trigger's own
// (`on conflict do nothing`) is not overridden. Each mark's SELECT has a WHERE, so its ON CONFLICT is not read
// as a join's constraint.
const OLD = /insert or ignore into rollup_dirty([^;]*);/g;
const NEW = /insert into rollup_dirty([^;]*) on conflict do nothing;/g;

async function rewrite(db: Kysely<any>, from: RegExp, to: (body: string) => string): Promise<void> {
  if (engineOf(db) !== 'sqlite') return;
  const triggers = await sql<{ name: string; sql: string }>`
    select name, sql from sqlite_master where type = 'trigger' and sql like '%into rollup_dirty%'`.execute(db);
  for (const { name, sql: text } of triggers.rows) {
    const rewritten = text.replace(from, (_, body: string) => to(body));
    if (rewritten === text) continue;
    await sql.raw(`drop trigger ${name}`).execute(db);
    await sql.raw(rewritten).execute(db);
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  await rewrite(db, OLD, (body) => `insert into rollup_dirty${body} on conflict do nothing;`);
}

export async function down(db: Kysely<any>): Promise<void> {
  await rewrite(db, NEW, (body) => `insert or ignore into rollup_dirty${body};`);
}
