import { sql } from 'kysely';
import type { DB } from '../db/database';
import { getSettings } from '../settings';
import { bucketLabels, bucketSql, teamFilterOf, type ReportFilter } from './filters';
import { refreshRollups, rollupRangeOf } from './rollups';
import { ratio } from './stats';

export interface ServiceLevelRow {
  bucket: string;
  offered: number;
  answered_within: number;
  abandoned: number;
  answered: number;
  service_level: number | null;
  abandon_rate: number | null;
  avg_queue_wait_s: number | null;
  avg_hold_s: number | null;
}

export interface Sums {
  offered: number;
  answered_within: number;
  abandoned: number;
  answered: number;
  wait_total: number;
  inbound_answered: number;
  hold_total: number;
}

export function emptySums(): Sums {
  return {
    offered: 0,
    answered_within: 0,
    abandoned: 0,
    answered: 0,
    wait_total: 0,
    inbound_answered: 0,
    hold_total: 0,
  };
}

/** The figures of a total (no calls: null rates, never 0%). */
export function serviceLevelTotal(s: Sums): ServiceLevelRow {
  return finish('total', s);
}

function finish(bucket: string, s: Sums): ServiceLevelRow {
  return {
    bucket,
    offered: s.offered,
    answered_within: s.answered_within,
    abandoned: s.abandoned,
    answered: s.answered,
    service_level: ratio(s.answered_within, s.offered),
    abandon_rate: ratio(s.abandoned, s.offered),
    avg_queue_wait_s: ratio(s.wait_total, s.inbound_answered),
    avg_hold_s: ratio(s.hold_total, s.answered),
  };
}

/** The sums behind the figures, over the calls table (any threshold). */
function callSums(thresholdS: number) {
  const inbound = "direction = 'inbound'";
  const answered = sql.raw(`${inbound} and abandoned = 0`);
  return [
    sql<number>`sum(${sql.raw(inbound)})`.as('offered'),
    sql<number>`sum(${answered} and queue_wait_s <= ${thresholdS})`.as('answered_within'),
    sql<number>`sum(${sql.raw(inbound)} and abandoned = 1)`.as('abandoned'),
    sql<number>`sum(${answered})`.as('answered'),
    sql<number>`coalesce(sum(case when ${answered} then queue_wait_s end), 0)`.as('wait_total'),
    sql<number>`sum(${answered})`.as('inbound_answered'),
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

/** The whole days the roll-up can answer the filter for (no agent, the configured threshold), or null. */
async function rollupRangeFor(db: DB, filter: ReportFilter, thresholdS: number) {
  const days = rollupRangeOf(filter);
  if (!days) return null;
  return thresholdS === (await getSettings(db)).service_level_threshold_s ? days : null;
}

/**
 * Service level per DOMAIN.md: inbound calls answered within T seconds (a wait of exactly T counts) over
 * inbound calls offered (answered + abandoned); abandon rate beside it; average hold = hold seconds over
 * answered inbound calls. Per day or week, plus the total. A period without calls has no figure (null), never 0%.
 */
export async function serviceLevel(db: DB, filter: ReportFilter, thresholdS: number) {
  // The daily roll-up holds the counts for the configured threshold; an agent's figures or another threshold
  // are summed from the calls themselves.
  const days = await rollupRangeFor(db, filter, thresholdS);
  const rows = days ? await fromRollup(db, filter, days) : await fromCalls(db, filter, thresholdS);
  return finishBuckets(filter, rows);
}

/** The service level total of each team of the filter at once (grouped by team; the same rules as serviceLevel). */
export async function serviceLevelByTeam(db: DB, filter: ReportFilter, thresholdS: number) {
  const days = await rollupRangeFor(db, filter, thresholdS);
  const teamFilter = teamFilterOf(filter);
  let rows: Array<Omit<BucketSums, 'bucket'> & { team_id: number | null }>;
  if (days) {
    await refreshRollups(db, 'calls', days.fromDay, days.toDay);
    let query = db
      .selectFrom('rollup_call_day')
      .select([
        // The roll-up keeps calls without a team under 0; the calls table under null.
        sql<number | null>`nullif(team_id, 0)`.as('team_id'),
        ...rollupSums(),
      ])
      .where('day', '>=', days.fromDay)
      .where('day', '<', days.toDay)
      .groupBy('team_id');
    if (teamFilter) query = query.where('team_id', 'in', teamFilter);
    rows = await query.execute();
  } else {
    let query = db
      .selectFrom('calls')
      .select(['team_id', ...callSums(thresholdS)])
      .where('started_at', '>=', filter.from)
      .where('started_at', '<', filter.to)
      .groupBy('team_id');
    if (teamFilter) query = query.where('team_id', 'in', teamFilter);
    if (filter.agentId) query = query.where('agent_id', '=', filter.agentId);
    rows = await query.execute();
  }
  return new Map(rows.map((r) => [r.team_id, finish('total', toSums(r))]));
}

function toSums(raw: Omit<BucketSums, 'bucket'>): Sums {
  return {
    offered: Number(raw.offered),
    answered_within: Number(raw.answered_within),
    abandoned: Number(raw.abandoned),
    answered: Number(raw.answered),
    wait_total: Number(raw.wait_total),
    inbound_answered: Number(raw.inbound_answered),
    hold_total: Number(raw.hold_total),
  };
}

interface BucketSums {
  bucket: string;
  offered: number;
  answered_within: number;
  abandoned: number;
  answered: number;
  wait_total: number;
  inbound_answered: number;
  hold_total: number;
}

/** Service level summed from every call of the period (any threshold, any filter). */
export async function fromCalls(db: DB, filter: ReportFilter, thresholdS: number): Promise<BucketSums[]> {
  const bucket = sql.raw(bucketSql('started_at', filter.group));
  let query = db
    .selectFrom('calls')
    .select([sql<string>`${bucket}`.as('bucket'), ...callSums(thresholdS)])
    .where('started_at', '>=', filter.from)
    .where('started_at', '<', filter.to)
    .groupBy(sql`1`);
  const teams = teamFilterOf(filter);
  if (teams) query = query.where('team_id', 'in', teams);
  if (filter.agentId) query = query.where('agent_id', '=', filter.agentId);
  return query.execute();
}

/** Service level summed from the daily roll-up per team (the configured threshold; no agent filter). */
export async function fromRollup(
  db: DB,
  filter: ReportFilter,
  { fromDay, toDay }: { fromDay: string; toDay: string },
): Promise<BucketSums[]> {
  await refreshRollups(db, 'calls', fromDay, toDay);
  // Sum per day first (in key order), then into weeks: the week of a few dozen days, not of every row.
  let perDay = db
    .selectFrom('rollup_call_day')
    .select([
      'day',
      sql<number>`sum(offered)`.as('offered'),
      sql<number>`sum(within_threshold)`.as('answered_within'),
      sql<number>`sum(abandoned)`.as('abandoned'),
      sql<number>`sum(answered)`.as('answered'),
      sql<number>`sum(wait_total)`.as('wait_total'),
      sql<number>`sum(hold_total)`.as('hold_total'),
    ])
    .where('day', '>=', fromDay)
    .where('day', '<', toDay)
    .groupBy('day');
  const teams = teamFilterOf(filter);
  if (teams) perDay = perDay.where('team_id', 'in', teams);
  const bucket = sql.raw(bucketSql('d.day', filter.group));
  return db
    .selectFrom(perDay.as('d'))
    .select([
      sql<string>`${bucket}`.as('bucket'),
      sql<number>`sum(d.offered)`.as('offered'),
      sql<number>`sum(d.answered_within)`.as('answered_within'),
      sql<number>`sum(d.abandoned)`.as('abandoned'),
      sql<number>`sum(d.answered)`.as('answered'),
      sql<number>`sum(d.wait_total)`.as('wait_total'),
      sql<number>`sum(d.answered)`.as('inbound_answered'),
      sql<number>`sum(d.hold_total)`.as('hold_total'),
    ])
    .groupBy(sql`1`)
    .execute();
}

function finishBuckets(filter: ReportFilter, rows: BucketSums[]) {
  const byBucket = new Map(rows.map((r) => [r.bucket, r]));
  const zero: Sums = {
    offered: 0,
    answered_within: 0,
    abandoned: 0,
    answered: 0,
    wait_total: 0,
    inbound_answered: 0,
    hold_total: 0,
  };
  const total = { ...zero };
  const buckets = bucketLabels(filter.fromDate, filter.toDate, filter.group).map((label) => {
    const raw = byBucket.get(label);
    const sums: Sums = raw ? toSums(raw) : zero;
    for (const key of Object.keys(total) as Array<keyof Sums>) total[key] += sums[key];
    return finish(label, sums);
  });
  return { buckets, total: finish('total', total) };
}
