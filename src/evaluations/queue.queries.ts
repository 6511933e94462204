import { inTeams } from '../db/fragments';
import { unindexed } from '../db/dialect';
import { sql } from 'kysely';
import type { Executor } from '../db/transaction';
import {
  anyRisk,
  criticalFailedPrompt,
  deadAirLongest,
  DEFAULT_RISK_LIMITS,
  overtalkTotal,
  riskCondition,
  riskCount,
} from '../risk';
import type { RiskQuery } from '../risk';

// The scoring queue: calls with a recording that nobody has evaluated yet.

/** Beyond this many teams the queue is one query over all of them instead of one per team. */
const QUEUE_TEAMS_MERGED_MAX = 50;

/** No filter, newest first; the flags' counts under the default limits (the page passes the ones in force). */
const NO_RISK: RiskQuery = { risk: '', sort: 'newest', limits: DEFAULT_RISK_LIMITS };

function unscoredQuery(db: Executor, category: string | undefined, risk: RiskQuery) {
  let query = db
    .selectFrom('calls')
    .innerJoin('users as agent', 'agent.id', 'calls.agent_id')
    .leftJoin('teams', 'teams.id', 'calls.team_id')
    .select([
      'calls.id as id',
      'calls.external_id',
      'calls.started_at as started_at',
      'calls.category',
      'calls.duration_s',
      'agent.display_name as agent_name',
      'teams.name as team_name',
      criticalFailedPrompt().as('risk_critical'),
      deadAirLongest().as('risk_dead_air_s'),
      overtalkTotal().as('risk_overtalk_s'),
      'calls.csat as risk_csat',
      riskCount(risk.limits).as('risk_count'),
    ])
    .where('calls.evaluation_count', '=', 0);
  if (category) query = query.where('calls.category', '=', category);
  if (risk.risk === 'any') query = query.where(anyRisk(risk.limits));
  else if (risk.risk !== '') query = query.where(riskCondition(risk.risk, risk.limits));
  return query;
}

/**
 * Calls of the given teams with a recording and an agent that nobody has evaluated yet, newest first (or the
 * most flagged first, then newest, with `risk.sort` 'risk'), each with its risk facts; `risk.risk` keeps only
 * flagged calls (any flag, or one kind).
 * For a team scope, one arm per team walks calls_team_started_idx (or calls_team_category_started_idx) newest
 * first and stops after `limit` rows, and the arms' rows are merged: a page costs teams × limit rows at most, on
 * either engine (PostgreSQL, given one query over the teams, read every unscored call of them and worked out
 * each one's risk facts before sorting: 157 ms for a supervisor's queue at 1M calls). The unary plus keeps the planner off
 * calls_recording_status_idx: without statistics it takes `recording_status = 'stored'` for selective and
 * likes the order that index gives, then walks every team's recordings to find a few teams' calls.
 */
export async function unscoredCalls(
  db: Executor,
  teamIds: number[] | 'all',
  limit: number,
  category?: string,
  risk: RiskQuery = NO_RISK,
) {
  let query = unscoredQuery(db, category, risk);
  if (teamIds === 'all' || teamIds.length > QUEUE_TEAMS_MERGED_MAX) {
    // Over (nearly) every team, walking the recordings newest first finds unscored calls at once.
    query = query.where('calls.recording_status', '=', 'stored');
    if (teamIds !== 'all') query = query.where('calls.team_id', 'in', teamIds);
  } else {
    // No team at all is one arm for team -1: no call, the same empty page.
    const [firstTeam = -1, ...otherTeams] = teamIds;
    const arm = (teamId: number) =>
      db
        .selectFrom(
          ordered(
            unscoredQuery(db, category, risk)
              .where('calls.team_id', '=', teamId)
              .where(unindexed(db, 'calls.recording_status'), '=', 'stored'),
            risk,
          )
            .limit(limit)
            .as('arm'),
        )
        .selectAll();
    query = otherTeams.reduce((merged, teamId) => merged.unionAll(arm(teamId)), arm(firstTeam)) as typeof query;
  }
  return ordered(query, risk).limit(limit).execute();
}

/** The queue's order: newest first, or the most flagged first with `risk.sort` 'risk'; the id breaks ties. */
function ordered<Q extends ReturnType<typeof unscoredQuery>>(query: Q, risk: RiskQuery): Q {
  const byRisk = risk.sort === 'risk' ? query.orderBy('risk_count', 'desc') : query;
  return byRisk.orderBy('started_at', 'desc').orderBy('id', 'desc') as Q;
}

export async function countUnscored(db: Executor, teamIds: number[] | 'all'): Promise<number> {
  let query = db
    .selectFrom('calls')
    .select(sql<number>`count(*)`.as('n'))
    .where('calls.evaluation_count', '=', 0)
    .where('calls.recording_status', '=', 'stored')
    .where('calls.agent_id', 'is not', null);
  query = inTeams(query, 'calls.team_id', teamIds);
  return Number((await query.executeTakeFirstOrThrow()).n);
}
