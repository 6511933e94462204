import { sql } from 'kysely';
import type { DB } from '../db/database';
import { bucketSql, type ReportFilter } from './filters';

/** Average CSAT per team and per CSR over calls that carry a CSAT. */
export async function csatBreakdown(db: DB, filter: ReportFilter) {
  let base = db
    .selectFrom('calls')
    .where('calls.csat', 'is not', null)
    .where('calls.started_at', '>=', filter.from)
    .where('calls.started_at', '<', filter.to);
  if (filter.teamIds !== 'all') base = base.where('calls.team_id', 'in', filter.teamIds.length ? filter.teamIds : [-1]);
  if (filter.agentId) base = base.where('calls.agent_id', '=', filter.agentId);
  const [teams, agents] = await Promise.all([
    base
      .innerJoin('teams', 'teams.id', 'calls.team_id')
      .select(['teams.id', 'teams.name', sql<number>`avg(calls.csat)`.as('csat'), sql<number>`count(*)`.as('n')])
      .groupBy(['teams.id', 'teams.name'])
      .orderBy('teams.name')
      .execute(),
    base
      .innerJoin('users', 'users.id', 'calls.agent_id')
      .select([
        'users.id',
        'users.display_name as name',
        sql<number>`avg(calls.csat)`.as('csat'),
        sql<number>`count(*)`.as('n'),
      ])
      .groupBy(['users.id', 'users.display_name'])
      .orderBy('csat')
      .execute(),
  ]);
  return {
    teams: teams.map((t) => ({ ...t, csat: Number(t.csat), n: Number(t.n) })),
    agents: agents.map((a) => ({ ...a, csat: Number(a.csat), n: Number(a.n) })),
  };
}

/** For each rubric item: the average CSAT of calls where it passed vs where it failed (what customers notice). */
export async function csatByItem(db: DB, filter: ReportFilter) {
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
  if (filter.teamIds !== 'all') query = query.where('e.team_id', 'in', filter.teamIds.length ? filter.teamIds : [-1]);
  if (filter.agentId) query = query.where('e.agent_id', '=', filter.agentId);
  const rows = await query.execute();
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

/** Calls per category per week (or day), with the category's average score in that bucket. */
export async function categoryTrends(db: DB, filter: ReportFilter) {
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
  if (filter.teamIds !== 'all') query = query.where('c.team_id', 'in', filter.teamIds.length ? filter.teamIds : [-1]);
  if (filter.agentId) query = query.where('c.agent_id', '=', filter.agentId);
  const rows = await query.execute();
  return rows.map((r) => ({
    bucket: r.bucket,
    category: r.category,
    calls: Number(r.calls),
    evaluations: Number(r.evaluations),
    avg_score: r.avg_score === null ? null : Number(r.avg_score),
  }));
}
