import { Kysely } from 'kysely';
import { markTeamDaysStale } from './lib/stale-day-triggers';

// Issue 21: the team day roll-up answered the service level for the configured threshold only (within_threshold);
// any other threshold (the report's `threshold_s`, a threshold being tried before it is saved) summed the calls.
// `waits` keeps the day's answered inbound waits per team as a histogram, a JSON array of [seconds, calls] with
// each wait rounded up to the whole second (so "within T s" is every bucket <= T for a whole T), waits over an
// hour in one bucket 3601. Every day already computed is marked stale, so the next refresh fills it in.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('rollup_team_day')
    .addColumn('waits', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await markTeamDaysStale(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('rollup_team_day').dropColumn('waits').execute();
}
