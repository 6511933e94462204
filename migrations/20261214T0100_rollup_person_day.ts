import { Kysely, sql } from 'kysely';
import { engineOf } from '../src/db/dialect';

// Issue 21, the all-team reports at ten million calls: the quality page's figures per CSR and per evaluator, and
// the customer page's CSAT per CSR, grouped the period's raw rows by person. SQLite groups by sorting, so 90 days
// cost a sort of every scorecard (24,000 at 1M calls, 17–24 ms; ten times that at 10M) or a read of every call
// with a CSAT (50,000 at 1M, 500,000 at 10M). These roll-ups keep one row per person, local day and team (0 =
// none), keyed person first: a report reads each person's days with one seek, in person order, and sums them
// without a sort.
//
// - rollup_score_agent_day: the CSR's counted standard scorecards with a score, submitted that day (the sums of
//   rollup_score_day: count, total, sum of squares, passes, critical fails).
// - rollup_score_evaluator_day: the same scorecards by their evaluator (count, score total, time spent).
// - rollup_csat_agent_day: the CSR's calls with a CSAT that started that day (count, total).
//
// Kept by the stale-day marks of 20261123T2100_report_rollups: 'scores' days for the first two, 'calls' days for
// the third (a call's agent changing is marked by rollup_coverage_call_agent). The trigger below also marks a
// counted scorecard's day when its agent, evaluator, time, pass or critical fail changes without its score. Every
// day already computed is marked stale here, so the next refresh fills the new tables in.

const COUNTED = `('submitted', 'released', 'acknowledged')`;
const TRIGGER = 'rollup_evaluations_people';
const EVENT = 'update of agent_id, evaluator_id, time_spent_s, passed, critical_failed';
const WHEN = `(old.kind = 'standard' and old.status in ${COUNTED}) or (new.kind = 'standard' and new.status in ${COUNTED})`;

function mark(ref: 'old' | 'new', engine: 'sqlite' | 'postgres'): string {
  const alias = engine === 'postgres' ? ' x' : '';
  return `insert into rollup_dirty (kind, day) select 'scores', d from (select substr(${ref}.submitted_at, 1, 10) as d)${alias}
    where d is not null on conflict do nothing;`;
}

const TABLES: Array<{ name: string; person: string; sums: string[] }> = [
  {
    name: 'rollup_score_agent_day',
    person: 'agent_id',
    sums: ['scored integer', 'score_total real', 'score_squares real', 'passed integer', 'critical integer'],
  },
  {
    name: 'rollup_score_evaluator_day',
    person: 'evaluator_id',
    sums: ['scored integer', 'score_total real', 'time_total integer'],
  },
  { name: 'rollup_csat_agent_day', person: 'agent_id', sums: ['csat_n integer', 'csat_total integer'] },
];

export async function up(db: Kysely<any>): Promise<void> {
  const engine = engineOf(db);
  const suffix = engine === 'postgres' ? '' : ' without rowid';
  // PostgreSQL's real has 4 bytes (SQLite's 8): raw SQL gets no help from the dialect's type mapping.
  const real = engine === 'postgres' ? 'double precision' : 'real';
  for (const t of TABLES) {
    const sums = t.sums.map((s) => `${s.replace(/ real$/, ` ${real}`)} not null`).join(',\n    ');
    await sql
      .raw(
        `create table ${t.name} (
    ${t.person} integer not null,
    day text not null,
    team_id integer not null,
    ${sums},
    primary key (${t.person}, day, team_id)
  )${suffix}`,
      )
      .execute(db);
    // A day is recomputed by deleting its rows (found through the first index, not a scan of every person's
    // days); a report on some teams reads those teams' days through the second.
    await db.schema.createIndex(`${t.name}_day_idx`).on(t.name).column('day').execute();
    await db.schema.createIndex(`${t.name}_team_day_idx`).on(t.name).columns(['team_id', 'day']).execute();
  }
  if (engine === 'postgres') {
    await sql
      .raw(
        `create function ${TRIGGER}() returns trigger language plpgsql as $$ begin
          ${mark('old', engine)} ${mark('new', engine)} return null; end $$`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger ${TRIGGER} after ${EVENT} on evaluations for each row when (${WHEN}) execute function ${TRIGGER}()`,
      )
      .execute(db);
  } else {
    await sql
      .raw(
        `create trigger ${TRIGGER} after ${EVENT} on evaluations when ${WHEN} begin ${mark('old', engine)} ${mark('new', engine)} end`,
      )
      .execute(db);
  }
  // `where true`: without it SQLite reads `on conflict` as the select's join constraint.
  await sql`insert into rollup_dirty (kind, day) select distinct 'scores', day from rollup_score_day where true
    on conflict do nothing`.execute(db);
  await sql`insert into rollup_dirty (kind, day) select distinct 'calls', day from rollup_team_day where true
    on conflict do nothing`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (engineOf(db) === 'postgres') {
    await sql.raw(`drop trigger if exists ${TRIGGER} on evaluations`).execute(db);
    await sql.raw(`drop function if exists ${TRIGGER}()`).execute(db);
  } else await sql.raw(`drop trigger if exists ${TRIGGER}`).execute(db);
  for (const t of [...TABLES].reverse()) await db.schema.dropTable(t.name).execute();
}
