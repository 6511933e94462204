import { Kysely, sql } from 'kysely';

// Issue 21, the service level page for one team at ten million calls: its intraday figures sum the team's
// 15-minute slots from rollup_call_slot, whose key is (slot, team): 90 days walked every team's slots (294,000 at
// 10M calls) and read each row from the table to keep one team's 8,500 (44 ms). This index holds each team's
// slots in time order with their sums, so a team's range is read alone and in slot order.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index rollup_call_slot_team_idx on rollup_call_slot (team_id, slot, threshold_s, offered, answered,
    abandoned, within_threshold, wait_total, hold_total, handle_total)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index rollup_call_slot_team_idx`.execute(db);
}
