import { sql } from 'kysely';
import { engineOf } from '../db/dialect';
import { mondayOf } from '../lib/zones';
import type { Executor } from '../db/transaction';
import { COUNTED_IN_FIGURES } from '../policy';
import { teamFilterOf, type ReportFilter } from './filters';
import { bucketSql, inRollupDays, narrowedToFilter } from './filters.queries';
import type { RollupDays } from './rollups';
import { eachCategoryCell } from './rollup-team-day.queries';

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
  if (filter.teamIds === 'all' && !filter.agentId && engineOf(db) === 'sqlite') return csatPerAgentBySeeks(db, filter);
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
    .orderBy('users.id')
    .execute();
}

/**
 * csatPerAgentFromCalls over every team on SQLite: person by person, each one's calls of the period read in order
 * from calls_agent_csat_idx (a cross join keeps users first), so the period's calls are never sorted by agent
 * (SQLite groups by sorting: 14 ms for 90 days at 1M calls, against 5.6 ms this way).
 */
function csatPerAgentBySeeks(db: Executor, filter: ReportFilter) {
  return db
    .selectFrom('users')
    .crossJoin('calls')
    .whereRef('calls.agent_id', '=', 'users.id')
    .where('calls.csat', 'is not', null)
    .where('calls.started_at', '>=', filter.from)
    .where('calls.started_at', '<', filter.to)
    .select([
      'users.id',
      'users.display_name as name',
      sql<number>`avg(calls.csat)`.as('csat'),
      sql<number>`count(*)`.as('n'),
    ])
    .groupBy('users.id')
    .orderBy('csat')
    .orderBy('users.id')
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
  // Item by item, each one's days read in order from rollup_item_csat_day_item_idx: nothing to sort (a cross
  // join keeps that order on SQLite; PostgreSQL plans the join as it sees fit).
  // Over every team, the sums over the teams (rollup_item_csat_total_day): a row per item and day, not per team too.
  // Typed as the team table: the report reads the columns both have (no team_id where every team is asked for).
  const rows = (teamFilterOf(filter) ? 'rollup_item_csat_day' : 'rollup_item_csat_total_day') as 'rollup_item_csat_day';
  const perItem = db
    .selectFrom('rubric_items as ri')
    .crossJoin(`${rows} as d`)
    .whereRef('d.item_id', '=', 'ri.id')
    .select([
      'ri.id as item_id',
      sql<number>`sum(d.n_passed)`.as('n_passed'),
      sql<number>`sum(d.csat_passed)`.as('csat_passed'),
      sql<number>`sum(d.n_failed)`.as('n_failed'),
      sql<number>`sum(d.csat_failed)`.as('csat_failed'),
    ])
    .groupBy('ri.id');
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

/**
 * Category trends from the daily roll-ups (no agent filter, whole days): over every team from rollup_category_day,
 * over some from their rows of rollup_team_day; the categories summed per bucket here.
 */
export async function categoryTrendsFromRollup(db: Executor, filter: ReportFilter, days: RollupDays) {
  // One row per day and team, each with its categories: summed per bucket, then per category, here.
  // Over every team, the day's categories already summed over the teams (one row a day, not one per team).
  const rows = teamFilterOf(filter)
    ? await inRollupDays(db.selectFrom('rollup_team_day').select(['day', 'categories']), filter, days).execute()
    : await db
        .selectFrom('rollup_category_day')
        .select(['day', 'categories'])
        .where('day', '>=', days.fromDay)
        .where('day', '<', days.toDay)
        .execute();
  const buckets = new Map<string, Map<string, CategorySum>>();
  const bucketOfDay = new Map<string, Map<string, CategorySum>>();
  for (const row of rows) {
    let sums = bucketOfDay.get(row.day);
    if (!sums) {
      const bucket = filter.group === 'week' ? mondayOf(row.day) : row.day;
      sums = buckets.get(bucket) ?? new Map<string, CategorySum>();
      buckets.set(bucket, sums);
      bucketOfDay.set(row.day, sums);
    }
    eachCategoryCell(row.categories, (category, calls, evaluations, scored, total) => {
      const sum = sums.get(category);
      if (sum) {
        sum.calls += calls;
        sum.evaluations += evaluations;
        sum.scored += scored;
        sum.total += total;
      } else sums.set(category, { calls, evaluations, scored, total });
    });
  }
  return [...buckets]
    .sort(([a], [b]) => byText(a, b))
    .flatMap(([bucket, sums]) =>
      [...sums]
        .sort(([a], [b]) => byText(a, b))
        .map(([category, s]) => ({
          bucket,
          category,
          calls: s.calls,
          avg_score: s.scored ? s.total / s.scored : null,
          evaluations: s.evaluations,
        })),
    );
}

interface CategorySum {
  calls: number;
  evaluations: number;
  scored: number;
  total: number;
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
