import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/database';
import type { Database } from '../db/schema';
import { getSettings } from '../settings';

// Daily roll-ups behind the reports over many teams (see migrations/20261123T2100_report_rollups.ts). Triggers
// mark the days a write touched as stale; `refreshRollups` recomputes the stale days of a range from the raw
// rows, in one transaction with clearing their marks, before a report reads the roll-up.

export type RollupKind = 'calls' | 'scores';

const COUNTED = sql.raw(`('submitted', 'released', 'acknowledged')`);

/** Days recomputed per transaction, so a long backlog never holds the connection for long. */
const DAYS_PER_TRANSACTION = 31;

export function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

async function computeCallDay(trx: Transaction<Database>, day: string, thresholdS: number) {
  const end = nextDay(day);
  await trx.deleteFrom('rollup_call_day').where('day', '=', day).execute();
  await trx.deleteFrom('rollup_item_csat_day').where('day', '=', day).execute();
  await sql`
    insert into rollup_call_day (day, team_id, category, threshold_s, calls, offered, answered, abandoned,
      within_threshold, wait_total, hold_total, csat_n, csat_total, evaluations, scored, score_total)
    with ca as (
      select coalesce(team_id, 0) as team_id, coalesce(category, '(none)') as category, count(*) as calls,
        sum(direction = 'inbound') as offered,
        sum(direction = 'inbound' and abandoned = 0) as answered,
        sum(direction = 'inbound' and abandoned = 1) as abandoned,
        sum(direction = 'inbound' and abandoned = 0 and queue_wait_s <= ${thresholdS}) as within_threshold,
        coalesce(sum(case when direction = 'inbound' and abandoned = 0 then queue_wait_s end), 0) as wait_total,
        coalesce(sum(case when direction = 'inbound' and abandoned = 0 then hold_s end), 0) as hold_total,
        count(csat) as csat_n, coalesce(sum(csat), 0) as csat_total
      from calls where started_at >= ${day} and started_at < ${end}
      group by 1, 2
    ), ea as (
      select coalesce(c.team_id, 0) as team_id, coalesce(c.category, '(none)') as category,
        count(*) as evaluations, count(e.score) as scored, coalesce(sum(e.score), 0) as score_total
      -- CROSS JOIN keeps the day's calls as the outer loop (else SQLite walks every scorecard by status).
      from calls c cross join evaluations e
      where c.started_at >= ${day} and c.started_at < ${end}
        and e.call_id = c.id and e.kind = 'standard' and e.status in ${COUNTED}
      group by 1, 2
    )
    select ${day}, ca.team_id, ca.category, ${thresholdS}, ca.calls, ca.offered, ca.answered, ca.abandoned,
      ca.within_threshold, ca.wait_total, ca.hold_total, ca.csat_n, ca.csat_total,
      coalesce(ea.evaluations, 0), coalesce(ea.scored, 0), coalesce(ea.score_total, 0)
    from ca left join ea on ea.team_id = ca.team_id and ea.category = ca.category`.execute(trx);
  await sql`
    insert into rollup_item_csat_day (day, team_id, item_id, n_passed, csat_passed, n_failed, csat_failed)
    select ${day}, coalesce(e.team_id, 0), a.item_id,
      sum(a.points >= a.max_points), coalesce(sum(case when a.points >= a.max_points then c.csat end), 0),
      sum(a.points < a.max_points), coalesce(sum(case when a.points < a.max_points then c.csat end), 0)
    from calls c
      cross join evaluations e
      join evaluation_answers a on a.evaluation_id = e.id
    where c.started_at >= ${day} and c.started_at < ${end} and c.csat is not null and a.points is not null
      and e.call_id = c.id and e.kind = 'standard' and e.status in ${COUNTED}
    group by 2, 3`.execute(trx);
}

async function computeScoreDay(trx: Transaction<Database>, day: string) {
  await trx.deleteFrom('rollup_item_day').where('day', '=', day).execute();
  await sql`
    insert into rollup_item_day (day, team_id, item_id, answered, failed)
    select ${day}, coalesce(e.team_id, 0), a.item_id, count(*), sum(a.points < a.max_points)
    from evaluations e join evaluation_answers a on a.evaluation_id = e.id
    where e.kind = 'standard' and e.status in ${COUNTED}
      and e.submitted_at >= ${day} and e.submitted_at < ${nextDay(day)} and a.points is not null
    group by 2, 3`.execute(trx);
}

/**
 * Recomputes the stale days of one kind in [fromDay, toDay) (dates, toDay exclusive; the whole history when
 * left out). Returns how many days it recomputed.
 */
export async function refreshRollups(db: DB, kind: RollupKind, fromDay?: string, toDay?: string): Promise<number> {
  // Usually nothing is stale: find that out without opening a transaction.
  let anyStale = db.selectFrom('rollup_dirty').select('day').where('kind', '=', kind);
  if (fromDay) anyStale = anyStale.where('day', '>=', fromDay);
  if (toDay) anyStale = anyStale.where('day', '<', toDay);
  if (!(await anyStale.limit(1).executeTakeFirst())) return 0;
  let done = 0;
  for (;;) {
    const count = await db.transaction().execute(async (trx) => {
      // Read inside the transaction: a threshold saved meanwhile either is seen here or marks these days again.
      const thresholdS = kind === 'calls' ? (await getSettings(trx)).service_level_threshold_s : 0;
      let stale = trx.selectFrom('rollup_dirty').select('day').where('kind', '=', kind);
      if (fromDay) stale = stale.where('day', '>=', fromDay);
      if (toDay) stale = stale.where('day', '<', toDay);
      const days = await stale.orderBy('day').limit(DAYS_PER_TRANSACTION).execute();
      for (const { day } of days) {
        if (kind === 'calls') await computeCallDay(trx, day, thresholdS);
        else await computeScoreDay(trx, day);
      }
      if (days.length) {
        await trx
          .deleteFrom('rollup_dirty')
          .where('kind', '=', kind)
          .where(
            'day',
            'in',
            days.map((d) => d.day),
          )
          .execute();
      }
      return days.length;
    });
    done += count;
    if (count < DAYS_PER_TRANSACTION) return done;
  }
}

/**
 * The days [fromDay, toDay) of a report filter (its `to` is the start of the day after its last), or null when
 * the filter does not cover whole UTC days, which a daily roll-up cannot answer.
 */
export function rollupDays(filter: { from: string; to: string }): { fromDay: string; toDay: string } | null {
  const midnight = /^(\d{4}-\d{2}-\d{2})T00:00:00(\.000)?Z$/;
  const from = midnight.exec(filter.from);
  const to = midnight.exec(filter.to);
  return from && to ? { fromDay: from[1], toDay: to[1] } : null;
}

/** Brings every stale day of both kinds up to date (hourly and at start-up, so reports rarely wait for it). */
export async function refreshAllRollups(db: DB): Promise<number> {
  return (await refreshRollups(db, 'calls')) + (await refreshRollups(db, 'scores'));
}

/** The whole days of a report filter a roll-up can answer: whole UTC days and no agent chosen (else null). */
export function rollupRangeOf(filter: {
  from: string;
  to: string;
  agentId?: number;
}): { fromDay: string; toDay: string } | null {
  return filter.agentId ? null : rollupDays(filter);
}
