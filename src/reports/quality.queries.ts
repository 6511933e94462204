import { sql, type SelectQueryBuilder } from 'kysely';
import { SCORE_BANDS, type Database } from '../db/schema';
import type { Executor } from '../db/transaction';
import { unindexed } from '../db/dialect';
import { COUNTED_IN_FIGURES, CSR_VISIBLE } from '../policy';
import { teamFilterOf, type Audience, type ReportFilter } from './filters';
import { bucketSql, inRollupDays, narrowedToFilter, resummed } from './filters.queries';
import type { RollupDays } from './rollups';
import { eachItemCell, scoreBandCounts } from './rollup-team-day.queries';

type EvalQuery = SelectQueryBuilder<Database, 'evaluations', object>;

function scoped(db: Executor, query: EvalQuery, filter: ReportFilter, audience: Audience): EvalQuery {
  // For some teams, `+` steers SQLite to the team index (team, status, submitted_at): through the status
  // index it would read every team's scorecards of the period to keep a few teams' (measured: 2.2 -> 1.3 ms
  // for two teams' 90 days at 1M calls).
  const status = filter.teamIds === 'all' ? sql.ref('evaluations.status') : unindexed(db, 'evaluations.status');
  const q = query
    .where('evaluations.kind', '=', 'standard')
    .where(status, 'in', audience === 'csr' ? CSR_VISIBLE : COUNTED_IN_FIGURES)
    .where('evaluations.submitted_at', '>=', filter.from)
    .where('evaluations.submitted_at', '<', filter.to);
  return narrowedToFilter(q, filter, { team: 'evaluations.team_id', agent: 'evaluations.agent_id' });
}

/** The scored scorecards of the filter (those with a score; all N/A has none). */
function scored(db: Executor, filter: ReportFilter, audience: Audience) {
  return scoped(db, db.selectFrom('evaluations'), filter, audience).where('evaluations.score', 'is not', null);
}

const SCORE_SUM_NAMES = ['n', 'total', 'squares', 'passed'] as const;

/** The sums a mean with its interval and a pass rate are worked out from. */
function scoreSums() {
  return [
    sql<number>`count(*)`.as('n'),
    sql<number>`sum(evaluations.score)`.as('total'),
    sql<number>`sum(evaluations.score * evaluations.score)`.as('squares'),
    sql<number>`sum(evaluations.passed)`.as('passed'),
  ] as const;
}

const criticalSum = () => sql<number>`sum(evaluations.critical_failed)`.as('critical');

/** Score sums per week (or day) bucket; buckets without scorecards are left out. */
export async function scoreTrendRows(db: Executor, filter: ReportFilter, audience: Audience) {
  // Per day first, then into weeks: the week of each day, not of every scorecard.
  const perDay = scored(db, filter, audience)
    .select([
      sql<string>`${sql.raw(bucketSql('evaluations.submitted_at', filter, 'instant', 'day'))}`.as('day'),
      ...scoreSums(),
    ])
    .groupBy(sql`1`);
  const bucket = sql.raw(bucketSql('d.day', filter, 'day'));
  return db
    .selectFrom(perDay.as('d'))
    .select([sql<string>`${bucket}`.as('bucket'), ...resummed('d', SCORE_SUM_NAMES)])
    .groupBy(sql`1`)
    .execute();
}

/**
 * Score sums and band counts per week (or day) bucket: the quality page's trend, distribution and summary from
 * one read of the period's scorecards instead of three (each a scan of the same range), grouped by day alone.
 */
export async function scoreBucketBandRows(db: Executor, filter: ReportFilter, audience: Audience) {
  const perDay = scored(db, filter, audience)
    .select([
      sql<string>`${sql.raw(bucketSql('evaluations.submitted_at', filter, 'instant', 'day'))}`.as('day'),
      ...scoreSums(),
      criticalSum(),
      ...scoreBandCounts('evaluations.score'),
    ])
    .groupBy(sql`1`);
  const bucket = sql.raw(bucketSql('d.day', filter, 'day'));
  return db
    .selectFrom(perDay.as('d'))
    .select([sql<string>`${bucket}`.as('bucket'), ...resummed('d', [...SCORE_SUM_NAMES, 'critical', ...SCORE_BANDS])])
    .groupBy(sql`1`)
    .execute();
}

/**
 * The scorecard roll-up a filter reads: over every team, the day's sums over the teams (rollup_score_total_day, a
 * row a day); over some teams, their rows of rollup_score_day. Typed as the team table: the readers use the
 * columns both have (no team_id where every team is asked for).
 */
function scoreDayTable(filter: Pick<ReportFilter, 'teamIds'>) {
  return (teamFilterOf(filter) ? 'rollup_score_day' : 'rollup_score_total_day') as 'rollup_score_day';
}

/**
 * The same sums as scoreBucketBandRows per local day, from the daily roll-up per team as it stands (staff view, no
 * agent filter, whole days): teams × days rows, summed per day here.
 */
export async function scoreDaySumsInRollup(db: Executor, filter: ReportFilter, days: RollupDays) {
  const sum = <A extends string>(column: string, as: A) => sql<number>`sum(${sql.ref(column)})`.as(as);
  return inRollupDays(
    db
      .selectFrom(scoreDayTable(filter))
      .select([
        'day',
        sum('scored', 'n'),
        sum('score_total', 'total'),
        sum('score_squares', 'squares'),
        sum('passed', 'passed'),
        sum('critical', 'critical'),
        ...SCORE_BANDS.map((band) => sum(band, band)),
      ]),
    filter,
    days,
  )
    .groupBy('day')
    .having(sql`sum(scored)`, '>', 0)
    .execute();
}

/** Score sums over the whole filter (zeros when there is nothing). */
export async function scoreSummaryRow(db: Executor, filter: ReportFilter, audience: Audience) {
  return scored(db, filter, audience)
    .select([
      sql<number>`count(*)`.as('n'),
      sql<number>`coalesce(sum(evaluations.score), 0)`.as('total'),
      sql<number>`coalesce(sum(evaluations.score * evaluations.score), 0)`.as('squares'),
      sql<number>`coalesce(sum(evaluations.passed), 0)`.as('passed'),
      sql<number>`coalesce(sum(evaluations.critical_failed), 0)`.as('critical'),
    ])
    .executeTakeFirstOrThrow();
}

/** Score sums per team of the filter (one grouped query). */
export async function scoreSumsByTeam(db: Executor, filter: ReportFilter, audience: Audience) {
  return scored(db, filter, audience)
    .select(['evaluations.team_id', ...scoreSums(), criticalSum()])
    .groupBy('evaluations.team_id')
    .execute();
}

/** Score sums per CSR with their names. */
export async function scoreSumsByCsr(db: Executor, filter: ReportFilter, audience: Audience) {
  // Aggregate per agent id first, then join the resulting rows to users.
  const perAgent = scored(db, filter, audience)
    .select(['evaluations.agent_id', ...scoreSums(), criticalSum()])
    .groupBy('evaluations.agent_id');
  return db
    .selectFrom(perAgent.as('x'))
    .innerJoin('users as u', 'u.id', 'x.agent_id')
    .select(['u.id', 'u.display_name', 'u.username', 'x.n', 'x.total', 'x.squares', 'x.passed', 'x.critical'])
    .execute();
}

export interface ItemFailureRow {
  rubric: string;
  prompt: string;
  critical: number;
  answered: number;
  failed: number;
}

/** Item failures counted from every answer of the period (any audience, any filter). */
export async function itemFailuresFromAnswers(
  db: Executor,
  filter: ReportFilter,
  audience: Audience,
): Promise<ItemFailureRow[]> {
  return scoped(db, db.selectFrom('evaluations'), filter, audience)
    .innerJoin('evaluation_answers as a', 'a.evaluation_id', 'evaluations.id')
    .innerJoin('rubric_items as i', 'i.id', 'a.item_id')
    .innerJoin('rubrics as r', 'r.id', 'evaluations.rubric_id')
    .where('a.points', 'is not', null)
    .select([
      sql<string>`min(r.name)`.as('rubric'),
      'i.prompt',
      sql<number>`max(i.critical)`.as('critical'),
      sql<number>`count(*)`.as('answered'),
      sql<number>`sum(case when a.points < a.max_points then 1 when not (a.points < a.max_points) then 0 end)`.as(
        'failed',
      ),
    ])
    .groupBy(['r.family_id', 'i.prompt'])
    .execute();
}

/** Item failures summed from the daily scorecard roll-up, as it stands (see itemFailuresFromRollup and scoreDayTable). */
export async function itemFailuresInRollup(
  db: Executor,
  filter: ReportFilter,
  days: RollupDays,
): Promise<ItemFailureRow[]> {
  // One row per day (and team), each with its items: summed per item here, then per rubric family and prompt.
  const rows = await inRollupDays(db.selectFrom(scoreDayTable(filter)).select('items'), filter, days).execute();
  const perItem = new Map<number, { answered: number; failed: number }>();
  for (const row of rows) {
    eachItemCell(row.items, (itemId, answered, failed) => {
      let sum = perItem.get(itemId);
      if (!sum) perItem.set(itemId, (sum = { answered: 0, failed: 0 }));
      sum.answered += answered;
      sum.failed += failed;
    });
  }
  if (!perItem.size) return [];
  const items = await db
    .selectFrom('rubric_items as i')
    .innerJoin('rubrics as r', 'r.id', 'i.rubric_id')
    .select(['i.id', 'r.family_id', 'r.name', 'i.prompt', 'i.critical'])
    .where('i.id', 'in', [...perItem.keys()])
    .execute();
  const groups = new Map<string, ItemFailureRow>();
  for (const item of items) {
    const sum = perItem.get(Number(item.id));
    if (!sum) continue;
    const key = JSON.stringify([item.family_id, item.prompt]);
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { rubric: item.name, prompt: item.prompt, critical: Number(item.critical), ...sum });
      continue;
    }
    if (item.name < group.rubric) group.rubric = item.name;
    group.critical = Math.max(Number(group.critical), Number(item.critical));
    group.answered += sum.answered;
    group.failed += sum.failed;
  }
  return [...groups.values()];
}

/**
 * Score sums per CSR and evaluator, with the evaluators' time: the quality page's per-CSR and per-evaluator
 * figures from one grouped read of the period's scorecards instead of two (each sorted on its own).
 */
export async function scoreSumsByCsrAndEvaluator(db: Executor, filter: ReportFilter) {
  return scored(db, filter, 'staff')
    .select([
      'evaluations.agent_id',
      'evaluations.evaluator_id',
      ...scoreSums(),
      criticalSum(),
      sql<number>`sum(evaluations.time_spent_s)`.as('time_total'),
    ])
    .groupBy(['evaluations.agent_id', 'evaluations.evaluator_id'])
    .execute();
}

/** The names of these people, by display name. */
export async function namesOf(db: Executor, ids: readonly number[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('users')
    .select(['id', 'display_name', 'username'])
    .where('id', 'in', ids)
    .orderBy('display_name')
    .execute();
}

/** Per evaluator: how many scorecards, their average time and score, with names, by name. */
export async function evaluatorRows(db: Executor, filter: ReportFilter) {
  // Aggregate per evaluator id first, then join the few resulting rows to users.
  const perEvaluator = scored(db, filter, 'staff')
    .select([
      'evaluations.evaluator_id',
      sql<number>`count(*)`.as('n'),
      sql<number>`avg(evaluations.time_spent_s)`.as('avg_time_s'),
      sql<number>`avg(evaluations.score)`.as('avg_score'),
    ])
    .groupBy('evaluations.evaluator_id');
  return db
    .selectFrom(perEvaluator.as('x'))
    .innerJoin('users as u', 'u.id', 'x.evaluator_id')
    .select(['u.id', 'u.display_name', 'x.n', 'x.avg_time_s', 'x.avg_score'])
    .orderBy('u.display_name')
    .execute();
}
