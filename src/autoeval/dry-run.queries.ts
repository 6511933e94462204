import type { Executor } from '../db/transaction';
import { scopedIds } from '../db/ids';

/** The latest analysed calls with an agent (audio analysed, or a transcript) in the given teams, newest first. */
export async function latestAnalysedCalls(db: Executor, teamIds: number[] | 'all', limit: number) {
  const teams = scopedIds(teamIds);
  let query = db
    .selectFrom('calls')
    .leftJoin('call_analyses', 'call_analyses.call_id', 'calls.id')
    .select(['calls.id', 'calls.external_id', 'calls.started_at'])
    .where('calls.agent_id', 'is not', null)
    .where((eb) => eb.or([eb('call_analyses.status', '=', 'done'), eb('calls.transcript', 'is not', null)]))
    .orderBy('calls.started_at', 'desc')
    .orderBy('calls.id', 'desc')
    .limit(limit);
  if (teams) query = query.where('calls.team_id', 'in', teams);
  return query.execute();
}
