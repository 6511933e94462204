import { Kysely, sql } from 'kysely';
import { engineOf, utcDaySql } from '../src/db/dialect';

// A scorecard's answers are written a dozen rows at a time, and on PostgreSQL each row fired the roll-up trigger
// of 20261123T2100 (migrations/lib/report-rollups.postgres.ts): two stale-day marks per answer, the same two for
// every answer of one scorecard (24 statements a submit, 23 of them finding the mark already made). Here they
// become statement triggers that read the statement's rows as a transition table and mark each scorecard's days
// once. The rule is the same: the answers of a counted standard scorecard mark its submitted day ('scores') and
// its call's day ('calls'); an update marks the scorecards of the new rows, a delete those of the old ones.
// SQLite has no statement triggers and keeps its row triggers.

const COUNTED = `('submitted', 'released', 'acknowledged')`;
const EVENTS = [
  { event: 'insert', rows: 'new' },
  { event: 'update', rows: 'new' },
  { event: 'delete', rows: 'old' },
] as const;

/** The statement trigger's body: each counted scorecard among `table`'s rows marks its two days, once. */
function statementBody(table: string): string {
  const counted = (from: string) => `from ${from} where e.id in (select evaluation_id from ${table})
      and e.kind = 'standard' and e.status in ${COUNTED}`;
  return `insert into rollup_dirty (kind, day)
      select distinct 'scores', d from (select ${utcDaySql('postgres', 'e.submitted_at')} as d
        ${counted('evaluations e')}) x
      where d is not null on conflict do nothing;
    insert into rollup_dirty (kind, day)
      select distinct 'calls', d from (select ${utcDaySql('postgres', 'c.started_at')} as d
        ${counted('evaluations e join calls c on c.id = e.call_id')}) x
      where d is not null on conflict do nothing;`;
}

/** The row trigger's body as 20261215T0100_timestamptz left it (for down). */
function rowBody(ref: 'new' | 'old'): string {
  const mark = (kind: string, expression: string) =>
    `insert into rollup_dirty (kind, day) select '${kind}', d from (select ${utcDaySql('postgres', expression)} as d) x
    where d is not null on conflict do nothing;`;
  return `if (select e.kind = 'standard' and e.status in ${COUNTED} from evaluations e where e.id = ${ref}.evaluation_id) then
      ${mark('scores', `(select submitted_at from evaluations where id = ${ref}.evaluation_id)`)}
      ${mark('calls', `(select c.started_at from evaluations e join calls c on c.id = e.call_id where e.id = ${ref}.evaluation_id)`)}
    end if;`;
}

async function replace(db: Kysely<any>, name: string, body: string, trigger: string): Promise<void> {
  await sql.raw(`drop trigger if exists ${name} on evaluation_answers`).execute(db);
  await sql
    .raw(
      `create or replace function ${name}() returns trigger language plpgsql as $$ begin ${body} return null; end $$`,
    )
    .execute(db);
  await sql.raw(trigger).execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  if (engineOf(db) !== 'postgres') return;
  for (const { event, rows } of EVENTS) {
    const name = `rollup_answers_${event}`;
    const table = `${rows}_answers`;
    await replace(
      db,
      name,
      statementBody(table),
      `create trigger ${name} after ${event} on evaluation_answers referencing ${rows} table as ${table}
        for each statement execute function ${name}()`,
    );
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (engineOf(db) !== 'postgres') return;
  for (const { event, rows } of EVENTS) {
    const name = `rollup_answers_${event}`;
    await replace(
      db,
      name,
      rowBody(rows),
      `create trigger ${name} after ${event} on evaluation_answers for each row execute function ${name}()`,
    );
  }
}
