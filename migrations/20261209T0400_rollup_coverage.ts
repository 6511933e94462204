import { Kysely, sql } from 'kysely';
import { engineOf } from '../src/db/dialect';
import { createStaleDayTriggers, dropStaleDayTriggers, type StaleDayTrigger } from './lib/stale-day-triggers';

// Issue 16, the coverage report's performance: 90 days at a million calls read the automatic answers per call
// and item (seconds), and the daily sums it had (auto_call_day, auto_item_day) were UTC days while the report is
// about the center's local days. `rollup_coverage` keeps, per period (a local day, or a local week keyed by its
// Monday) × rubric version × team (0 = none) × agent (0 = none), the automatic evaluations of the calls that
// started in it (evaluated; answered = at least one item answered) and the per-item sums folded into `items`, a
// JSON array of [item_id, answered, failed]. A 90-day report reads ~13 week rows and the edge days' rows per
// team and agent.
//
// Maintained by the stale-day mechanism of 20261123T2100_report_rollups (kind 'calls', the day a call started):
// the triggers below mark the call's UTC day when an automatic evaluation is written, replaced or deleted, or
// when a call's agent changes (its start, team and deletion are marked by rollup_calls_*); the refresh
// (src/reports/rollups.ts) recomputes the local days those overlap from the raw rows, then their weeks from the
// day rows; a zone change starts over.

const TRIGGERS = [
  { name: 'rollup_coverage_auto_insert', event: 'insert', table: 'auto_evaluations', days: ['new'], of: 'call' },
  { name: 'rollup_coverage_auto_update', event: 'update', table: 'auto_evaluations', days: ['old', 'new'], of: 'call' },
  { name: 'rollup_coverage_auto_delete', event: 'delete', table: 'auto_evaluations', days: ['old'], of: 'call' },
  { name: 'rollup_coverage_call_agent', event: 'update of agent_id', table: 'calls', days: ['old', 'new'], of: 'self' },
] as const satisfies readonly StaleDayTrigger[];

export async function up(db: Kysely<any>): Promise<void> {
  const suffix = engineOf(db) === 'postgres' ? '' : ' without rowid';
  await sql
    .raw(
      `create table rollup_coverage (
    period text not null check (period in ('day', 'week')),
    day text not null,
    rubric_id integer not null,
    team_id integer not null,
    agent_id integer not null,
    evaluated integer not null,
    answered integer not null,
    items text not null,
    primary key (period, day, rubric_id, team_id, agent_id)
  )${suffix}`,
    )
    .execute(db);
  await createStaleDayTriggers(db, TRIGGERS);
  // Every day of a call with an automatic evaluation is stale: the next refresh computes it.
  await db
    .insertInto('rollup_dirty')
    .columns(['kind', 'day'])
    .expression(
      db
        .selectFrom('auto_evaluations as e')
        .innerJoin('calls as c', 'c.id', 'e.call_id')
        .select([sql.lit('calls').as('kind'), sql`substr(c.started_at, 1, 10)`.as('day')])
        // A WHERE before ON CONFLICT: SQLite would read the conflict clause as a join's ON otherwise.
        .where(sql<boolean>`true`)
        .distinct(),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropStaleDayTriggers(db, TRIGGERS);
  await db.schema.dropTable('rollup_coverage').execute();
}
