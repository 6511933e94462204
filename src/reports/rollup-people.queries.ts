import { sql, type RawBuilder } from 'kysely';
import type { Executor, Tx } from '../db/transaction';
import { COUNTED_IN_FIGURES } from '../policy';
import { teamFilterOf, type ReportFilter } from './filters';
import type { RollupDays } from './rollups';

// The daily roll-ups per person (migrations/20261214T0100_rollup_person_day.ts): one row per person, local day and
// team (0 = none), keyed person first, so a report over every team sums each person's days without sorting the
// period's rows. Recomputed with the team day roll-ups (rollup-team-day.queries.ts) of the same stale days.

/** The counted statuses as an SQL list, for the roll-ups' raw statements: ('submitted', 'released', 'acknowledged'). */
export const COUNTED = sql.raw(`(${COUNTED_IN_FIGURES.map((status) => `'${status}'`).join(', ')})`);

/** The day's counted scorecards with a score per CSR and team, and per evaluator and team (20261214T0100). */
export async function computePeopleScoreDay(trx: Tx, day: string, start: string, end: string) {
  await trx.deleteFrom('rollup_score_agent_day').where('day', '=', day).execute();
  await trx.deleteFrom('rollup_score_evaluator_day').where('day', '=', day).execute();
  const ofTheDay = sql`e.kind = 'standard' and e.status in ${COUNTED}
    and e.submitted_at >= ${start} and e.submitted_at < ${end} and e.score is not null`;
  await sql`
    insert into rollup_score_agent_day (agent_id, day, team_id, scored, score_total, score_squares, passed, critical)
    select e.agent_id, ${day}, coalesce(e.team_id, 0), count(*), sum(e.score), sum(e.score * e.score),
      coalesce(sum(e.passed), 0), sum(e.critical_failed)
    from evaluations e where ${ofTheDay}
    group by e.agent_id, coalesce(e.team_id, 0)`.execute(trx);
  await sql`
    insert into rollup_score_evaluator_day (evaluator_id, day, team_id, scored, score_total, time_total)
    select e.evaluator_id, ${day}, coalesce(e.team_id, 0), count(*), sum(e.score), sum(e.time_spent_s)
    from evaluations e where ${ofTheDay}
    group by e.evaluator_id, coalesce(e.team_id, 0)`.execute(trx);
}

/** The day's calls with a CSAT per CSR and team (calls without an agent are nobody's). */
export async function computeCsatAgentDay(trx: Tx, day: string, start: string, end: string) {
  await trx.deleteFrom('rollup_csat_agent_day').where('day', '=', day).execute();
  await sql`
    insert into rollup_csat_agent_day (agent_id, day, team_id, csat_n, csat_total)
    select agent_id, ${day}, coalesce(team_id, 0), count(*), sum(csat)
    from calls
    where started_at >= ${start} and started_at < ${end} and csat is not null and agent_id is not null
    group by agent_id, coalesce(team_id, 0)`.execute(trx);
}

/**
 * A person roll-up's rows of the range summed per person (20261214T0100): over every team, person by person, each
 * one's days read in key order (a cross join keeps users first), so SQLite sums them without sorting; for some
 * teams, those teams' rows through the (team, day) index, few enough to group.
 */
function perPersonOfRollup(
  table: 'rollup_score_agent_day' | 'rollup_score_evaluator_day' | 'rollup_csat_agent_day',
  person: 'agent_id' | 'evaluator_id',
  sums: RawBuilder<unknown>,
  filter: Pick<ReportFilter, 'teamIds'>,
  { fromDay, toDay }: RollupDays,
) {
  const teams = teamFilterOf(filter);
  const rows = sql.raw(table);
  const id = sql.raw(person);
  if (!teams) {
    return sql`select u.id as ${id}, ${sums} from users u cross join ${rows} r
      where r.${id} = u.id and r.day >= ${fromDay} and r.day < ${toDay} group by u.id`;
  }
  return sql`select r.${id}, ${sums} from ${rows} r
    where r.team_id in (${sql.join(teams)}) and r.day >= ${fromDay} and r.day < ${toDay} group by r.${id}`;
}

/** scoreSumsByCsrAndEvaluator's sums per CSR from rollup_score_agent_day (staff view, no agent filter, whole days). */
export async function scoreSumsByCsrInRollup(db: Executor, filter: ReportFilter, days: RollupDays) {
  const sums = sql`sum(r.scored) as n, sum(r.score_total) as total, sum(r.score_squares) as squares,
    sum(r.passed) as passed, sum(r.critical) as critical`;
  const query = perPersonOfRollup('rollup_score_agent_day', 'agent_id', sums, filter, days);
  type Row = { agent_id: number; n: number; total: number | null; squares: number | null; passed: number | null; critical: number | null }; // prettier-ignore
  return (await sql<Row>`${query}`.execute(db)).rows;
}

/** The same per evaluator from rollup_score_evaluator_day: how many scorecards, their score total and time. */
export async function scoreSumsByEvaluatorInRollup(db: Executor, filter: ReportFilter, days: RollupDays) {
  const sums = sql`sum(r.scored) as n, sum(r.score_total) as total, sum(r.time_total) as time_total`;
  const query = perPersonOfRollup('rollup_score_evaluator_day', 'evaluator_id', sums, filter, days);
  type Row = { evaluator_id: number; n: number; total: number | null; time_total: number | null };
  return (await sql<Row>`${query}`.execute(db)).rows;
}

/** csatPerAgentFromCalls' averages from rollup_csat_agent_day, with names, lowest first. */
export async function csatPerAgentInRollup(db: Executor, filter: ReportFilter, days: RollupDays) {
  const sums = sql`sum(r.csat_total) as total, sum(r.csat_n) as n`;
  const query = perPersonOfRollup('rollup_csat_agent_day', 'agent_id', sums, filter, days);
  return (
    await sql<{ id: number; name: string; csat: number; n: number }>`
      select u.id, u.display_name as name, x.total * 1.0 / x.n as csat, x.n
      from (${query}) x join users u on u.id = x.agent_id
      order by 3, 1`.execute(db)
  ).rows;
}
