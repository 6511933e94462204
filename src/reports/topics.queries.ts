import { sql } from 'kysely';
import type { Executor } from '../db/transaction';
import { COUNTED_IN_FIGURES } from '../policy';
import type { ReportFilter } from './filters';
import { bucketSql, inRollupDays, narrowedToFilter } from './filters.queries';
import type { RollupDays } from './rollups';

// Call topics per local week (issue 16): the calls each active topic tagged, their CSAT and the average score of
// the human scorecards on them, beside the week's analysed calls (a transcript or analysed audio), which are the
// calls topics can tag and so the base of each topic's share.

/** Per week and active topic: tagged calls, CSAT over those that carry one, human scorecards' scores. */
export async function topicWeeks(db: Executor, filter: ReportFilter) {
  const bucket = sql.raw(bucketSql('c.started_at', filter, 'instant', 'week'));
  // One row per call with the sum and count of its counted scorecards' scores, so a call with two scorecards
  // is one call in the counts and two scorecards in the average.
  const scores = db
    .selectFrom('evaluations as e')
    .select(['e.call_id', sql<number>`sum(e.score)`.as('score_total'), sql<number>`count(e.score)`.as('scored')])
    .where('e.kind', '=', 'standard')
    .where('e.status', 'in', COUNTED_IN_FIGURES)
    .groupBy('e.call_id')
    .as('s');
  const query = db
    .selectFrom('call_topics as ct')
    .innerJoin('topics as t', 't.id', 'ct.topic_id')
    .innerJoin('calls as c', 'c.id', 'ct.call_id')
    .leftJoin(scores, 's.call_id', 'c.id')
    .where('t.active', '=', 1)
    .where('c.started_at', '>=', filter.from)
    .where('c.started_at', '<', filter.to)
    .select([
      sql<string>`${bucket}`.as('week'),
      't.id as topic_id',
      't.name as topic',
      sql<number>`count(*)`.as('calls'),
      sql<number | null>`avg(c.csat)`.as('csat'),
      sql<number>`count(c.csat)`.as('csat_n'),
      sql<number | null>`sum(s.score_total) * 1.0 / nullif(sum(s.scored), 0)`.as('avg_score'),
      sql<number>`coalesce(sum(s.scored), 0)`.as('scored'),
    ])
    .groupBy([sql`1`, 't.id', 't.name'])
    .orderBy(sql`1`)
    .orderBy('t.name');
  return narrowedToFilter(query, filter, { team: 'c.team_id', agent: 'c.agent_id' }).execute();
}

/** Analysed calls (audio analysed, or a transcript) per local week: the base of the topics' shares. */
export async function analysedCallWeeksFromCalls(db: Executor, filter: ReportFilter) {
  const bucket = sql.raw(bucketSql('c.started_at', filter, 'instant', 'week'));
  const query = db
    .selectFrom('calls as c')
    .leftJoin('call_analyses as a', 'a.call_id', 'c.id')
    .where('c.started_at', '>=', filter.from)
    .where('c.started_at', '<', filter.to)
    .where((eb) => eb.or([eb('a.status', '=', 'done'), eb('c.transcript', 'is not', null)]))
    .select([sql<string>`${bucket}`.as('week'), sql<number>`count(*)`.as('analysed')])
    .groupBy(sql`1`);
  return narrowedToFilter(query, filter, { team: 'c.team_id', agent: 'c.agent_id' }).execute();
}

/** The same per local week from the daily roll-up per team (no agent filter, whole days): teams × days rows. */
export async function analysedCallWeeksFromRollup(db: Executor, filter: ReportFilter, days: RollupDays) {
  const bucket = sql.raw(bucketSql('day', filter, 'day', 'week'));
  const query = db
    .selectFrom('rollup_team_day')
    .select([sql<string>`${bucket}`.as('week'), sql<number>`sum(analysed)`.as('analysed')])
    .groupBy(sql`1`);
  return inRollupDays(query, filter, days).execute();
}
