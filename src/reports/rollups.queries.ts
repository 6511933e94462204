import { sql } from 'kysely';
import type { Executor, Tx } from '../db/transaction';
import { COUNTED_IN_FIGURES } from '../policy';

// The daily roll-ups' own queries (see ./rollups.ts for when they run).

export type RollupKind = 'calls' | 'scores';

/** The counted statuses as an SQL list, for the roll-ups' raw statements: ('submitted', 'released', 'acknowledged'). */
const COUNTED = sql.raw(`(${COUNTED_IN_FIGURES.map((status) => `'${status}'`).join(', ')})`);

export function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export async function computeCallDay(trx: Tx, day: string, thresholdS: number) {
  const end = nextDay(day);
  await trx.deleteFrom('rollup_call_day').where('day', '=', day).execute();
  await trx.deleteFrom('rollup_item_csat_day').where('day', '=', day).execute();
  await sql`
    insert into rollup_call_day (day, team_id, category, threshold_s, calls, offered, answered, abandoned,
      within_threshold, wait_total, hold_total, csat_n, csat_total, evaluations, scored, score_total)
    with ca as (
      select coalesce(team_id, 0) as team_id, coalesce(category, '(none)') as category, count(*) as calls,
        sum(case when direction = 'inbound' then 1 when not (direction = 'inbound') then 0 end) as offered,
        sum(case when direction = 'inbound' and abandoned = 0 then 1 when not (direction = 'inbound' and abandoned = 0) then 0 end) as answered,
        sum(case when direction = 'inbound' and abandoned = 1 then 1 when not (direction = 'inbound' and abandoned = 1) then 0 end) as abandoned,
        sum(case when direction = 'inbound' and abandoned = 0 and queue_wait_s <= ${thresholdS} then 1 when not (direction = 'inbound' and abandoned = 0 and queue_wait_s <= ${thresholdS}) then 0 end) as within_threshold,
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
      sum(case when a.points >= a.max_points then 1 when not (a.points >= a.max_points) then 0 end), coalesce(sum(case when a.points >= a.max_points then c.csat end), 0),
      sum(case when a.points < a.max_points then 1 when not (a.points < a.max_points) then 0 end), coalesce(sum(case when a.points < a.max_points then c.csat end), 0)
    from calls c
      cross join evaluations e
      join evaluation_answers a on a.evaluation_id = e.id
    where c.started_at >= ${day} and c.started_at < ${end} and c.csat is not null and a.points is not null
      and e.call_id = c.id and e.kind = 'standard' and e.status in ${COUNTED}
    group by 2, 3`.execute(trx);
}

export async function computeScoreDay(trx: Tx, day: string) {
  await trx.deleteFrom('rollup_item_day').where('day', '=', day).execute();
  await sql`
    insert into rollup_item_day (day, team_id, item_id, answered, failed)
    select ${day}, coalesce(e.team_id, 0), a.item_id, count(*), sum(case when a.points < a.max_points then 1 when not (a.points < a.max_points) then 0 end)
    from evaluations e join evaluation_answers a on a.evaluation_id = e.id
    where e.kind = 'standard' and e.status in ${COUNTED}
      and e.submitted_at >= ${day} and e.submitted_at < ${nextDay(day)} and a.points is not null
    group by 2, 3`.execute(trx);
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
