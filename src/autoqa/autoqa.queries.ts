import { inTeams } from '../db/fragments';
import type { Executor } from '../db/transaction';

// What the rules read of a call: its record (transcript, hold and duration) and its audio analysis.

/** The columns of calls joined with call_analyses that autoqa's factsOf reads: one list for every query of them. */
export const CALL_FACT_COLUMNS = [
  'calls.id',
  'calls.transcript',
  'calls.transcript_format',
  'calls.hold_s',
  'calls.duration_s as call_duration_s',
  'calls.recording_status',
  'calls.recording_duration_s',
  'call_analyses.status as analysis_status',
  'call_analyses.duration_s as audio_duration_s',
  'call_analyses.segments',
] as const;

export async function callForFacts(db: Executor, callId: number) {
  return db
    .selectFrom('calls')
    .leftJoin('call_analyses', 'call_analyses.call_id', 'calls.id')
    .select(CALL_FACT_COLUMNS)
    .where('calls.id', '=', callId)
    .executeTakeFirst();
}

export type CallForFacts = NonNullable<Awaited<ReturnType<typeof callForFacts>>>;

/**
 * The latest analysed calls with an agent (audio analysed, or a transcript) in the given teams, newest first:
 * the calls a dry run tries a rule or a topic's condition on.
 */
export async function latestAnalysedCalls(db: Executor, teamIds: number[] | 'all', limit: number) {
  let query = db
    .selectFrom('calls')
    .leftJoin('call_analyses', 'call_analyses.call_id', 'calls.id')
    .select(['calls.id', 'calls.external_id', 'calls.started_at'])
    .where('calls.agent_id', 'is not', null)
    .where((eb) => eb.or([eb('call_analyses.status', '=', 'done'), eb('calls.transcript', 'is not', null)]))
    .orderBy('calls.started_at', 'desc')
    .orderBy('calls.id', 'desc')
    .limit(limit);
  query = inTeams(query, 'calls.team_id', teamIds);
  return query.execute();
}
