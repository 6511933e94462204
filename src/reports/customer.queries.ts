import { sql } from 'kysely';
import type { Executor } from '../db/transaction';
import { COUNTED_IN_FIGURES } from '../policy';
import type { ReportFilter } from './filters';
import { bucketSql, inRollupDays, narrowedToFilter } from './filters.queries';
import type { RollupDays } from './rollups';
import { categoryCells } from './rollup-team-day.queries';

/** Calls of the filter that carry a CSAT. */
function csatCallsOf(db: Executor, filter: ReportFilter) {
  const query = db
    .selectFrom('calls')
    .where('calls.csat', 'is not', null)
    .where('calls.started_at', '>=', filter.from)
    .where('calls.started_at', '<', filter.to);
  return narrowedToFilter(query, filter, { team: 'calls.team_id', agent: 'calls.agent_id' });
}

/** Average CSAT per CSR over the filter's calls, lowest first. */
export function csatPerAgentFromCalls(db: Executor, filter: ReportFilter) {
  // Per agent id first, then join the resulting rows to users.
  return db
    .selectFrom(
      csatCallsOf(db, filter)
        .select(['calls.agent_id', sql<number>`avg(calls.csat)`.as('csat'), sql<number>`count(*)`.as('n')])
        .groupBy('calls.agent_id')
        .as('x'),
    )
    .innerJoin('users', 'users.id', 'x.agent_id')
    .select(['users.id', 'users.display_name as name', 'x.csat', 'x.n'])
    .orderBy('x.csat')
    .execute();
}

/** Average CSAT per team over the filter's calls, by team name. */
export function csatPerTeamFromCalls(db: Executor, filter: ReportFilter) {
  return csatCallsOf(db, filter)
    .innerJoin('teams', 'teams.id', 'calls.team_id')
    .select(['teams.id', 'teams.name', sql<number>`avg(calls.csat)`.as('csat'), sql<number>`count(*)`.as('n')])
    .groupBy(['teams.id', 'teams.name'])
    .orderBy('teams.name')
    .execute();
}

/** CSAT per team from the daily roll-up: the same averages, from totals and counts per day. */
export function csatPerTeamFromRollup(db: Executor, filter: ReportFilter, days: RollupDays) {
  // Per team first, then join the few resulting rows to teams.
  const perTeam = db
    .selectFrom('rollup_team_day')
    .select(['team_id', sql<number>`sum(csat_total)`.as('total'), sql<number>`sum(csat_n)`.as('n')])
    .groupBy('team_id');
  return db
    .selectFrom(inRollupDays(perTeam, filter, days).as('x'))
    .innerJoin('teams', 'teams.id', 'x.team_id')
    .select(['teams.id', 'teams.name', sql<number>`x.total * 1.0 / x.n`.as('csat'), 'x.n'])
    .where('x.n', '>', 0)
    .orderBy('teams.name')
    .execute();
}

/** CSAT by item from every answer of the period (any filter). */
export async function csatByItemFromAnswers(db: Executor, filter: ReportFilter) {
  const query = db
    .selectFrom('evaluations as e')
    .innerJoin('calls as c', 'c.id', 'e.call_id')
    .innerJoin('evaluation_answers as a', 'a.evaluation_id', 'e.id')
    .innerJoin('rubric_items as i', 'i.id', 'a.item_id')
    .innerJoin('rubrics as r', 'r.id', 'e.rubric_id')
    .where('e.kind', '=', 'standard')
    .where('e.status', 'in', COUNTED_IN_FIGURES)
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
      sql<number>`sum(case when a.points >= a.max_points then 1 when not (a.points >= a.max_points) then 0 end)`.as(
        'n_passed',
      ),
      sql<number | null>`avg(case when a.points < a.max_points then c.csat end)`.as('csat_failed'),
      sql<number>`sum(case when a.points < a.max_points then 1 when not (a.points < a.max_points) then 0 end)`.as(
        'n_failed',
      ),
    ])
    .groupBy(['r.family_id', 'i.prompt']);
  return narrowedToFilter(query, filter, { team: 'e.team_id', agent: 'e.agent_id' }).execute();
}

/** CSAT by item from the daily roll-up per team and item (no agent filter, whole days). */
export async function csatByItemFromRollup(db: Executor, filter: ReportFilter, days: RollupDays) {
  const perItem = db
    .selectFrom('rollup_item_csat_day')
    .select([
      'item_id',
      sql<number>`sum(n_passed)`.as('n_passed'),
      sql<number>`sum(csat_passed)`.as('csat_passed'),
      sql<number>`sum(n_failed)`.as('n_failed'),
      sql<number>`sum(csat_failed)`.as('csat_failed'),
    ])
    .groupBy('item_id');
  return db
    .selectFrom(inRollupDays(perItem, filter, days).as('x'))
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

/** Category trends from every call of the period (any filter). */
export async function categoryTrendsFromCalls(db: Executor, filter: ReportFilter) {
  const bucket = sql.raw(bucketSql('c.started_at', filter, 'instant'));
  const query = db
    .selectFrom('calls as c')
    .leftJoin('evaluations as e', (join) =>
      join.onRef('e.call_id', '=', 'c.id').on('e.kind', '=', 'standard').on('e.status', 'in', COUNTED_IN_FIGURES),
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
  return narrowedToFilter(query, filter, { team: 'c.team_id', agent: 'c.agent_id' }).execute();
}

/** Category trends from the daily roll-up per team (no agent filter, whole days): its categories summed here. */
export async function categoryTrendsFromRollup(db: Executor, filter: ReportFilter, days: RollupDays) {
  // One row per day and team, each with its categories: the buckets come from SQL, the sums per category here.
  const bucket = sql.raw(bucketSql('day', filter, 'day'));
  const query = db.selectFrom('rollup_team_day').select([sql<string>`${bucket}`.as('bucket'), 'categories']);
  const rows = await inRollupDays(query, filter, days).execute();
  const sums = new Map<
    string,
    { bucket: string; category: string; calls: number; evaluations: number; scored: number; total: number }
  >();
  for (const row of rows) {
    for (const [category, calls, evaluations, scored, total] of categoryCells(row.categories)) {
      const key = `${row.bucket}\u0000${category}`;
      const sum = sums.get(key) ?? { bucket: row.bucket, category, calls: 0, evaluations: 0, scored: 0, total: 0 };
      sum.calls += calls;
      sum.evaluations += evaluations;
      sum.scored += scored;
      sum.total += total;
      sums.set(key, sum);
    }
  }
  return [...sums.values()]
    .sort((a, b) => byText(a.bucket, b.bucket) || byText(a.category, b.category))
    .map((s) => ({
      bucket: s.bucket,
      category: s.category,
      calls: s.calls,
      avg_score: s.scored ? s.total / s.scored : null,
      evaluations: s.evaluations,
    }));
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
