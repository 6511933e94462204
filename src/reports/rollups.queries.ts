import { sql, type Expression } from 'kysely';
import { engineOf, utcDaySql, utcSlotSql } from '../db/dialect';
import type { Executor, Tx } from '../db/transaction';
import { readSettings, writeSetting } from '../lib/settings-store.queries';
import { addDays } from '../lib/zones';

// The daily roll-ups' own queries (see ./rollups.ts for when they run).

export type RollupKind = 'calls' | 'scores';

export function nextDay(day: string): string {
  return addDays(day, 1);
}

function staleDaysQuery(db: Executor, kind: RollupKind, fromDay?: string, toDay?: string) {
  let stale = db.selectFrom('rollup_dirty').select('day').where('kind', '=', kind);
  if (fromDay) stale = stale.where('day', '>=', fromDay);
  if (toDay) stale = stale.where('day', '<', toDay);
  return stale;
}

/** Whether any day of one kind in [fromDay, toDay) is marked stale. */
export async function anyStaleDay(db: Executor, kind: RollupKind, fromDay?: string, toDay?: string) {
  return Boolean(await staleDaysQuery(db, kind, fromDay, toDay).limit(1).executeTakeFirst());
}

/** The first `limit` stale days of one kind in [fromDay, toDay), oldest first. */
export async function staleDays(db: Executor, kind: RollupKind, limit: number, fromDay?: string, toDay?: string) {
  const rows = await staleDaysQuery(db, kind, fromDay, toDay).orderBy('day').limit(limit).execute();
  return rows.map((r) => r.day);
}

export async function clearStaleDays(db: Executor, kind: RollupKind, days: string[]) {
  await db.deleteFrom('rollup_dirty').where('kind', '=', kind).where('day', 'in', days).execute();
}

/** The 15-minute UTC slot a call started in, as ISO text of its start. */
export function slotOfStartedAt(db: Executor): string {
  return utcSlotSql(engineOf(db), 'started_at');
}

/**
 * The slot sums over inbound calls, written portably (no boolean sums, no two-argument max). Handle time of an
 * answered call = its duration (talk, hold included) or its hold when a record has hold beyond its duration.
 */
export function slotSumColumns(thresholdS: number): Array<[string, string]> {
  const t = String(Math.trunc(thresholdS));
  return [
    ['answered', 'sum(case when abandoned = 0 then 1 else 0 end)'],
    ['abandoned', 'sum(case when abandoned = 1 then 1 else 0 end)'],
    ['within_threshold', `sum(case when abandoned = 0 and queue_wait_s <= ${t} then 1 else 0 end)`],
    ['wait_total', 'coalesce(sum(case when abandoned = 0 then queue_wait_s end), 0)'],
    ['hold_total', 'coalesce(sum(case when abandoned = 0 then hold_s end), 0)'],
    [
      'handle_total',
      'coalesce(sum(case when abandoned = 0 then (case when duration_s >= hold_s then duration_s else hold_s end) end), 0)',
    ],
  ];
}

/** Recomputes the 15-minute slots of one UTC day (inbound calls only: what service level and staffing count). */
export async function computeCallSlots(trx: Tx, utcDay: string, thresholdS: number) {
  const start = `${utcDay}T00:00:00.000Z`;
  const end = `${nextDay(utcDay)}T00:00:00.000Z`;
  await trx.deleteFrom('rollup_call_slot').where('slot', '>=', start).where('slot', '<', end).execute();
  await sql`
    insert into rollup_call_slot (slot, team_id, threshold_s, offered, answered, abandoned, within_threshold,
      wait_total, hold_total, handle_total)
    select ${sql.raw(slotOfStartedAt(trx))}, coalesce(team_id, 0), ${thresholdS}, count(*),
      ${sql.raw(
        slotSumColumns(thresholdS)
          .map(([, expr]) => expr)
          .join(', '),
      )}
    from calls where started_at >= ${start} and started_at < ${end} and direction = 'inbound'
    group by 1, 2`.execute(trx);
  // The all-team sums of the same slots, from the rows just written (an all-team read walks these instead).
  await trx.deleteFrom('rollup_call_slot_total').where('slot', '>=', start).where('slot', '<', end).execute();
  await sql`
    insert into rollup_call_slot_total (slot, threshold_s, offered, answered, abandoned, within_threshold,
      wait_total, hold_total, handle_total)
    select slot, ${thresholdS}, sum(offered), sum(answered), sum(abandoned), sum(within_threshold),
      sum(wait_total), sum(hold_total), sum(handle_total)
    from rollup_call_slot where slot >= ${start} and slot < ${end}
    group by slot`.execute(trx);
}

/** The UTC days whose slots were computed for another answer threshold, within [start, end). */
export async function slotDaysOfOtherThreshold(db: Executor, start: string, end: string, thresholdS: number) {
  const rows = await db
    .selectFrom('rollup_call_slot_total')
    .select(sql<string>`substr(slot, 1, 10)`.as('day'))
    .distinct()
    .where('slot', '>=', start)
    .where('slot', '<', end)
    .where('threshold_s', '<>', thresholdS)
    .execute();
  return rows.map((r) => r.day);
}

export async function markStale(db: Executor, kind: RollupKind, days: string[]) {
  if (!days.length) return;
  await db
    .insertInto('rollup_dirty')
    .values(days.map((day) => ({ kind, day })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** Marks stale, once each, the (kind, day) pairs a select gives. */
async function markSelectedStale(trx: Tx, pairs: Expression<{ kind: RollupKind; day: unknown }>) {
  await trx
    .insertInto('rollup_dirty')
    .columns(['kind', 'day'])
    .expression(pairs)
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** Roll-up bookkeeping kept in the settings table: the zone the daily roll-ups were computed in, rebuild size. */
const ZONE_KEY = 'rollup_time_zone';
const TOTAL_KEY = 'rollup_rebuild_total';

export async function rollupState(db: Executor) {
  const byKey = await readSettings(db, [ZONE_KEY, TOTAL_KEY]);
  // Roll-ups made before the setting existed were UTC days.
  return { timeZone: byKey.get(ZONE_KEY) ?? 'UTC', total: Number(byKey.get(TOTAL_KEY) ?? 0) };
}

export async function staleDayCount(db: Executor) {
  const row = await db
    .selectFrom('rollup_dirty')
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Starts over the daily roll-ups for a new time zone: their rows go, every day with calls or scorecards is
 * marked stale (durably: a restart resumes), and the size of the rebuild is kept for its progress.
 */
export async function restartRollupsIn(trx: Tx, timeZone: string) {
  await trx.deleteFrom('rollup_team_day').execute();
  await trx.deleteFrom('rollup_category_day').execute();
  await trx.deleteFrom('rollup_score_day').execute();
  await trx.deleteFrom('rollup_score_total_day').execute();
  await trx.deleteFrom('rollup_item_csat_day').execute();
  await trx.deleteFrom('rollup_item_csat_total_day').execute();
  await trx.deleteFrom('rollup_score_agent_day').execute();
  await trx.deleteFrom('rollup_score_evaluator_day').execute();
  await trx.deleteFrom('rollup_csat_agent_day').execute();
  await trx.deleteFrom('rollup_coverage').execute();
  await trx.deleteFrom('rollup_coverage_human').execute();
  await markSelectedStale(
    trx,
    trx
      .selectFrom('calls')
      .select([sql.lit<RollupKind>('calls').as('kind'), sql.raw(utcDaySql(engineOf(trx), 'started_at')).as('day')])
      // A WHERE before ON CONFLICT: SQLite would read the conflict clause as a join's ON otherwise.
      .where(sql<boolean>`true`)
      .distinct(),
  );
  await markSelectedStale(
    trx,
    trx
      .selectFrom('evaluations')
      .select([sql.lit<RollupKind>('scores').as('kind'), sql.raw(utcDaySql(engineOf(trx), 'submitted_at')).as('day')])
      .where('submitted_at', 'is not', null)
      .distinct(),
  );
  await writeSetting(trx, ZONE_KEY, timeZone);
  await writeSetting(trx, TOTAL_KEY, String(await staleDayCount(trx)));
}
