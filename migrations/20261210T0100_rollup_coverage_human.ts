import { Kysely, sql } from 'kysely';
import { engineOf } from '../src/db/dialect';

// Issue 16, the coverage report at a million calls: after the automatic side moved to `rollup_coverage`, the
// human scorecards' answers on the same calls were most of the report's time (read answer by answer, ~96 ms of
// 148 ms over 90 days). `rollup_coverage_human` keeps, per period (a local day, or a local week keyed by its
// Monday) × rubric version × team (0 = none) × agent (0 = none) of the calls that started in it, the answers of
// the counted human scorecards (standard, submitted/released/acknowledged) folded into `answers`, a JSON array of
// [item_id, value, count]. Values, not pass/fail: whether a value fails its item is the automatic-QA room's
// question (isFailing), asked when the report reads the row.
//
// No trigger of its own: the 'calls' stale-day marks of 20261123T2100_report_rollups already cover every write
// that moves it (a counted scorecard written, changed or deleted, its answers, the call's start and team), and
// 20261209T0400_rollup_coverage marks a call's agent change. The refresh (src/reports/rollups.ts) recomputes it
// with rollup_coverage.

export async function up(db: Kysely<any>): Promise<void> {
  const suffix = engineOf(db) === 'postgres' ? '' : ' without rowid';
  await sql
    .raw(
      `create table rollup_coverage_human (
    period text not null check (period in ('day', 'week')),
    day text not null,
    rubric_id integer not null,
    team_id integer not null,
    agent_id integer not null,
    answers text not null,
    primary key (period, day, rubric_id, team_id, agent_id)
  )${suffix}`,
    )
    .execute(db);
  // Every day of a call with a counted scorecard is stale: the next refresh computes it.
  await db
    .insertInto('rollup_dirty')
    .columns(['kind', 'day'])
    .expression(
      db
        .selectFrom('evaluations as e')
        .innerJoin('calls as c', 'c.id', 'e.call_id')
        .select([sql.lit('calls').as('kind'), sql`substr(c.started_at, 1, 10)`.as('day')])
        .where('e.kind', '=', 'standard')
        .where('e.status', 'in', ['submitted', 'released', 'acknowledged'])
        .distinct(),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rollup_coverage_human').execute();
}
