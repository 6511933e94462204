import { sql } from 'kysely';
import type { DB } from '../db/database';
import { bucketSql, teamFilterOf, type ReportFilter } from './filters';
import { refreshRollups, rollupRangeOf } from './rollups';

type Days = { fromDay: string; toDay: string };

/** The whole days of a filter when a daily roll-up can answer it (no agent chosen), after refreshing them. */
async function rollupRange(db: DB, filter: ReportFilter): Promise<Days | null> {
  const days = rollupRangeOf(filter);
  if (!days) return null;
  await refreshRollups(db, 'calls', days.fromDay, days.toDay);
  return days;
}

/** Calls of the filter that carry a CSAT. */
function csatCallsOf(db: DB, filter: ReportFilter) {
  let query = db
    .selectFrom('calls')
    .where('calls.csat', 'is not', null)
    .where('calls.started_at', '>=', filter.from)
    .where('calls.started_at', '<', filter.to);
  const teams = teamFilterOf(filter);
  if (teams) query = query.where('calls.team_id', 'in', teams);
  if (filter.agentId) query = query.where('calls.agent_id', '=', filter.agentId);
  return query;
}

/** Average CSAT per team and per CSR over calls that carry a CSAT. */
export async function csatBreakdown(db: DB, filter: ReportFilter) {
  const base = csatCallsOf(db, filter);
  const days = await rollupRange(db, filter);
  const [teams, agents] = await Promise.all([
    days ? csatPerTeamFromRollup(db, filter, days) : csatPerTeamFromCalls(base),
    // Per agent id first, then join the resulting rows to users.
    db
      .selectFrom(
        base
          .select(['calls.agent_id', sql<number>`avg(calls.csat)`.as('csat'), sql<number>`count(*)`.as('n')])
          .groupBy('calls.agent_id')
          .as('x'),
      )
      .innerJoin('users', 'users.id', 'x.agent_id')
      .select(['users.id', 'users.display_name as name', 'x.csat', 'x.n'])
      .orderBy('x.csat')
      .execute(),
  ]);
  return {
    teams: teams.map((t) => ({ ...t, csat: Number(t.csat), n: Number(t.n) })),
    agents: agents.map((a) => ({ ...a, csat: Number(a.csat), n: Number(a.n) })),
  };
}

function csatPerTeamFromCalls(base: ReturnType<typeof csatCallsOf>) {
  return base
    .innerJoin('teams', 'teams.id', 'calls.team_id')
    .select(['teams.id', 'teams.name', sql<number>`avg(calls.csat)`.as('csat'), sql<number>`count(*)`.as('n')])
    .groupBy(['teams.id', 'teams.name'])
    .orderBy('teams.name')
    .execute();
}

/** CSAT per team from the daily roll-up: the same averages, from totals and counts per day. */
export function csatPerTeamFromRollup(db: DB, filter: ReportFilter, { fromDay, toDay }: Days) {
  const teams = teamFilterOf(filter);
  // Per team first, then join the few resulting rows to teams.
  let perTeam = db
    .selectFrom('rollup_call_day')
    .select(['team_id', sql<number>`sum(csat_total)`.as('total'), sql<number>`sum(csat_n)`.as('n')])
    .where('day', '>=', fromDay)
    .where('day', '<', toDay)
    .groupBy('team_id');
  if (teams) perTeam = perTeam.where('team_id', 'in', teams);
  return db
    .selectFrom(perTeam.as('x'))
    .innerJoin('teams', 'teams.id', 'x.team_id')
    .select(['teams.id', 'teams.name', sql<number>`x.total * 1.0 / x.n`.as('csat'), 'x.n'])
    .where('x.n', '>', 0)
    .orderBy('teams.name')
    .execute();
}

/** CSAT by item from every answer of the period (any filter). */
export async function csatByItemFromAnswers(db: DB, filter: ReportFilter) {
  let query = db
    .selectFrom('evaluations as e')
    .innerJoin('calls as c', 'c.id', 'e.call_id')
    .innerJoin('evaluation_answers as a', 'a.evaluation_id', 'e.id')
    .innerJoin('rubric_items as i', 'i.id', 'a.item_id')
    .innerJoin('rubrics as r', 'r.id', 'e.rubric_id')
    .where('e.kind', '=', 'standard')
    .where('e.status', 'in', ['submitted', 'released', 'acknowledged'])
    .where('c.csat', 'is not', null)
    .where('a.points', 'is not', null)
    // By call date, like the rest of the customer view.
    .where('c.started_at', '>=', filter.from)
    .where('c.started_at', '<', filter.to)
    .select([
      'r.family_id',
      sql<string>`min(r.name)`.as('rubric'),
      'i.prompt',
      sql<number | null>`avg(case when a.points >= a.max_points then c.csat end)`.as('csat_passed'),
      sql<number>`sum(a.points >= a.max_points)`.as('n_passed'),
      sql<number | null>`avg(case when a.points < a.max_points then c.csat end)`.as('csat_failed'),
      sql<number>`sum(a.points < a.max_points)`.as('n_failed'),
    ])
    .groupBy(['r.family_id', 'i.prompt']);
  const teams = teamFilterOf(filter);
  if (teams) query = query.where('e.team_id', 'in', teams);
  if (filter.agentId) query = query.where('e.agent_id', '=', filter.agentId);
  return query.execute();
}

/** CSAT by item from the daily roll-up per team and item (no agent filter, whole days). */
export async function csatByItemFromRollup(db: DB, filter: ReportFilter, { fromDay, toDay }: Days) {
  const teams = teamFilterOf(filter);
  let perItem = db
    .selectFrom('rollup_item_csat_day')
    .select([
      'item_id',
      sql<number>`sum(n_passed)`.as('n_passed'),
      sql<number>`sum(csat_passed)`.as('csat_passed'),
      sql<number>`sum(n_failed)`.as('n_failed'),
      sql<number>`sum(csat_failed)`.as('csat_failed'),
    ])
    .where('day', '>=', fromDay)
    .where('day', '<', toDay)
    .groupBy('item_id');
  if (teams) perItem = perItem.where('team_id', 'in', teams);
  return db
    .selectFrom(perItem.as('x'))
    .innerJoin('rubric_items as i', 'i.id', 'x.item_id')
    .innerJoin('rubrics as r', 'r.id', 'i.rubric_id')
    .select([
      'r.family_id',
      sql<string>`min(r.name)`.as('rubric'),
      'i.prompt',
      sql<number | null>`sum(x.csat_passed) * 1.0 / nullif(sum(x.n_passed), 0)`.as('csat_passed'),
      sql<number>`sum(x.n_passed)`.as('n_passed'),
      sql<number | null>`sum(x.csat_failed) * 1.0 / nullif(sum(x.n_failed), 0)`.as('csat_failed'),
      sql<number>`sum(x.n_failed)`.as('n_failed'),
    ])
    .groupBy(['r.family_id', 'i.prompt'])
    .execute();
}

/** Average CSAT per team only (the manager dashboard), from the roll-up when it can answer. */
export async function csatPerTeam(db: DB, filter: ReportFilter) {
  const days = await rollupRange(db, filter);
  const rows = days
    ? await csatPerTeamFromRollup(db, filter, days)
    : await csatPerTeamFromCalls(csatCallsOf(db, filter));
  return new Map(rows.map((r) => [r.id, { csat: Number(r.csat), n: Number(r.n) }]));
}

/** For each rubric item: the average CSAT of calls where it passed vs where it failed (what customers notice). */
export async function csatByItem(db: DB, filter: ReportFilter) {
  const days = await rollupRange(db, filter);
  const rows = days ? await csatByItemFromRollup(db, filter, days) : await csatByItemFromAnswers(db, filter);
  return rows
    .map((r) => {
      const passed = r.csat_passed === null ? null : Number(r.csat_passed);
      const failed = r.csat_failed === null ? null : Number(r.csat_failed);
      return {
        rubric: r.rubric,
        prompt: r.prompt,
        csat_passed: passed,
        n_passed: Number(r.n_passed),
        csat_failed: failed,
        n_failed: Number(r.n_failed),
        gap: passed !== null && failed !== null ? passed - failed : null,
      };
    })
    .sort((a, b) => (b.gap ?? -99) - (a.gap ?? -99));
}

/** Category trends from every call of the period (any filter). */
export async function categoryTrendsFromCalls(db: DB, filter: ReportFilter) {
  const bucket = sql.raw(bucketSql('c.started_at', filter.group));
  let query = db
    .selectFrom('calls as c')
    .leftJoin('evaluations as e', (join) =>
      join
        .onRef('e.call_id', '=', 'c.id')
        .on('e.kind', '=', 'standard')
        .on('e.status', 'in', ['submitted', 'released', 'acknowledged']),
    )
    .where('c.started_at', '>=', filter.from)
    .where('c.started_at', '<', filter.to)
    .select([
      sql<string>`${bucket}`.as('bucket'),
      sql<string>`coalesce(c.category, '(none)')`.as('category'),
      sql<number>`count(distinct c.id)`.as('calls'),
      sql<number | null>`avg(e.score)`.as('avg_score'),
      sql<number>`count(e.id)`.as('evaluations'),
    ])
    .groupBy([sql`1`, sql`2`])
    .orderBy(sql`1`)
    .orderBy(sql`2`);
  const teams = teamFilterOf(filter);
  if (teams) query = query.where('c.team_id', 'in', teams);
  if (filter.agentId) query = query.where('c.agent_id', '=', filter.agentId);
  return query.execute();
}

/** Category trends from the daily roll-up per team and category (no agent filter, whole days). */
export async function categoryTrendsFromRollup(db: DB, filter: ReportFilter, { fromDay, toDay }: Days) {
  const teams = teamFilterOf(filter);
  // Per day and category first (the key's order), then into weeks.
  let perDay = db
    .selectFrom('rollup_call_day')
    .select([
      'day',
      'category',
      sql<number>`sum(calls)`.as('calls'),
      sql<number>`sum(score_total)`.as('score_total'),
      sql<number>`sum(scored)`.as('scored'),
      sql<number>`sum(evaluations)`.as('evaluations'),
    ])
    .where('day', '>=', fromDay)
    .where('day', '<', toDay)
    .groupBy(['day', 'category']);
  if (teams) perDay = perDay.where('team_id', 'in', teams);
  const bucket = sql.raw(bucketSql('d.day', filter.group));
  return db
    .selectFrom(perDay.as('d'))
    .select([
      sql<string>`${bucket}`.as('bucket'),
      'd.category',
      sql<number>`sum(d.calls)`.as('calls'),
      sql<number | null>`sum(d.score_total) / nullif(sum(d.scored), 0)`.as('avg_score'),
      sql<number>`sum(d.evaluations)`.as('evaluations'),
    ])
    .groupBy([sql`1`, 'd.category'])
    .orderBy(sql`1`)
    .orderBy('d.category')
    .execute();
}

/** Calls per category per week (or day), with the category's average score in that bucket. */
export async function categoryTrends(db: DB, filter: ReportFilter) {
  const days = await rollupRange(db, filter);
  const rows = days ? await categoryTrendsFromRollup(db, filter, days) : await categoryTrendsFromCalls(db, filter);
  return rows.map((r) => ({
    bucket: r.bucket,
    category: r.category,
    calls: Number(r.calls),
    evaluations: Number(r.evaluations),
    avg_score: r.avg_score === null ? null : Number(r.avg_score),
  }));
}
