import { Kysely, sql } from 'kysely';
import { engineOf } from '../src/db/dialect';

// Issue 17: ids are bigint on PostgreSQL (the schema plugin writes every `integer` of the schema builder as
// bigint), but the roll-up tables and call_legs were made with raw SQL, whose `integer` PostgreSQL keeps as a
// 4-byte integer. A report asked for team 9007199254740991 (a valid id to the API) then failed with "out of range
// for type integer" (a 500) where SQLite answered an empty report. These id columns become bigint like the ids
// they hold; the counts and sums beside them stay integer (a day's figures of one team fit). SQLite is unchanged.

/** The 4-byte id columns, table by table, as of this migration (frozen). */
const COLUMNS: Record<string, string[]> = {
  call_legs: ['call_id'],
  rollup_coverage: ['rubric_id', 'team_id', 'agent_id'],
  rollup_coverage_human: ['rubric_id', 'team_id', 'agent_id'],
  rollup_csat_agent_day: ['agent_id', 'team_id'],
  rollup_item_csat_day: ['team_id', 'item_id'],
  rollup_score_agent_day: ['agent_id', 'team_id'],
  rollup_score_day: ['team_id'],
  rollup_score_evaluator_day: ['evaluator_id', 'team_id'],
  rollup_team_day: ['team_id'],
};

async function changeTypes(db: Kysely<any>, type: 'bigint' | 'integer'): Promise<void> {
  if (engineOf(db) !== 'postgres') return;
  for (const [table, columns] of Object.entries(COLUMNS)) {
    await sql
      .raw(`alter table ${table} ${columns.map((c) => `alter column ${c} type ${type}`).join(', ')}`)
      .execute(db);
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  await changeTypes(db, 'bigint');
}

export async function down(db: Kysely<any>): Promise<void> {
  await changeTypes(db, 'integer');
}
