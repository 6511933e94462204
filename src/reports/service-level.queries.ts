import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../db/transaction';
import type { ReportFilter } from './filters';
import { bucketSql, inRollupDays, narrowedToFilter, resummed } from './filters.queries';
import type { RollupDays } from './rollups';

const SUM_NAMES = [
  'offered',
  'answered_within',
  'abandoned',
  'answered',
  'wait_total',
  'inbound_answered',
  'hold_total',
] as const;

/** The sums behind the service-level figures (see ./service-level.ts). */
export type Sums = Record<(typeof SUM_NAMES)[number], number>;

export type BucketSums = Sums & { bucket: string };

/**
 * How many rows meet `condition` (NULL where it is unknown, as SQLite's `sum(condition)` was): PostgreSQL has no
 * sum of booleans.
 */
const counted = (condition: RawBuilder<unknown>) =>
  sql<number>`sum(case when ${condition} then 1 when not (${condition}) then 0 end)`;

/** The sums behind the figures, over the calls table (any threshold). */
function callSums(thresholdS: number) {
  const inbound = "direction = 'inbound'";
  const answered = sql.raw(`${inbound} and abandoned = 0`);
  return [
    counted(sql.raw(inbound)).as('offered'),
    counted(sql`${answered} and queue_wait_s <= ${thresholdS}`).as('answered_within'),
    counted(sql.raw(`${inbound} and abandoned = 1`)).as('abandoned'),
    counted(answered).as('answered'),
    sql<number>`coalesce(sum(case when ${answered} then queue_wait_s end), 0)`.as('wait_total'),
    counted(answered).as('inbound_answered'),
    sql<number>`coalesce(sum(case when ${answered} then hold_s end), 0)`.as('hold_total'),
  ] as const;
}

/** The same sums over daily roll-up rows (the configured threshold). */
function rollupSums() {
  return [
    sql<number>`sum(offered)`.as('offered'),
    sql<number>`sum(within_threshold)`.as('answered_within'),
    sql<number>`sum(abandoned)`.as('abandoned'),
    sql<number>`sum(answered)`.as('answered'),
    sql<number>`sum(wait_total)`.as('wait_total'),
    sql<number>`sum(answered)`.as('inbound_answered'),
    sql<number>`sum(hold_total)`.as('hold_total'),
  ] as const;
}

/** The filter's calls of the period (teams and agent applied by the caller's narrowing). */
function callsOfPeriod(db: Executor, filter: ReportFilter) {
  return db.selectFrom('calls').where('started_at', '>=', filter.from).where('started_at', '<', filter.to);
}

/** Service-level sums per team from the daily roll-up, as it stands (the configured threshold). */
export async function teamSumsFromRollup(db: Executor, filter: ReportFilter, days: RollupDays) {
  const query = db
    .selectFrom('rollup_team_day')
    .select([
      // The roll-up keeps calls without a team under 0; the calls table under null.
      sql<number | null>`nullif(team_id, 0)`.as('team_id'),
      ...rollupSums(),
    ])
    .groupBy('team_id');
  return inRollupDays(query, filter, days).execute();
}

/** Service-level sums per team from the calls themselves (any threshold, any filter). */
export async function teamSumsFromCalls(db: Executor, filter: ReportFilter, thresholdS: number) {
  const query = callsOfPeriod(db, filter)
    .select(['team_id', ...callSums(thresholdS)])
    .groupBy('team_id');
  return narrowedToFilter(query, filter, { team: 'team_id', agent: 'agent_id' }).execute();
}

/** Service level summed from every call of the period (any threshold, any filter). */
export async function fromCalls(db: Executor, filter: ReportFilter, thresholdS: number): Promise<BucketSums[]> {
  const bucket = sql.raw(bucketSql('started_at', filter, 'instant'));
  const query = callsOfPeriod(db, filter)
    .select([sql<string>`${bucket}`.as('bucket'), ...callSums(thresholdS)])
    .groupBy(sql`1`);
  return narrowedToFilter(query, filter, { team: 'team_id', agent: 'agent_id' }).execute();
}

/** Service level summed from the daily roll-up per team, as it stands (see fromRollup in ./service-level.ts). */
export async function bucketSumsInRollup(db: Executor, filter: ReportFilter, days: RollupDays): Promise<BucketSums[]> {
  // Sum per day first (in key order), then into weeks: the week of a few dozen days, not of every row.
  const perDay = db
    .selectFrom('rollup_team_day')
    .select(['day', ...rollupSums()])
    .groupBy('day');
  const bucket = sql.raw(bucketSql('d.day', filter, 'day'));
  return db
    .selectFrom(inRollupDays(perDay, filter, days).as('d'))
    .select([sql<string>`${bucket}`.as('bucket'), ...resummed('d', SUM_NAMES)])
    .groupBy(sql`1`)
    .execute();
}

/** The daily roll-up's wait histograms of the filter's teams and days (for a threshold other than the setting's). */
export async function waitRowsInRollup(db: Executor, filter: ReportFilter, days: RollupDays) {
  const query = db.selectFrom('rollup_team_day').select(['day', 'team_id', 'waits']);
  return inRollupDays(query, filter, days).execute();
}
