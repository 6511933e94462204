import { Kysely, sql } from 'kysely';

// Issue 21, the customer report at a million calls: two of its reads grouped tens of thousands of rows through a
// temporary B-tree (SQLite's GROUP BY sorts), which cost more than reading them:
// - the average CSAT per CSR over 90 days: the 50,000 calls with a CSAT read in time order, then sorted by agent
//   (14–21 ms of 2 ms reading). `calls_agent_csat_idx` holds those calls per agent and time, so the report walks
//   the CSRs and reads each one's range in order: nothing to sort (5.6 ms);
// - CSAT by rubric item from the roll-up: 29,000 day × team × item rows sorted by item (12 ms).
//   `rollup_item_csat_day_item_idx` holds them per item and day (6 ms).
// Both are partial or small: only calls with a CSAT (a quarter at 1M) and the roll-up's own rows.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index calls_agent_csat_idx on calls (agent_id, started_at, csat) where csat is not null`.execute(db);
  await sql`create index rollup_item_csat_day_item_idx on rollup_item_csat_day
    (item_id, day, team_id, n_passed, csat_passed, n_failed, csat_failed)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index rollup_item_csat_day_item_idx`.execute(db);
  await sql`drop index calls_agent_csat_idx`.execute(db);
}
