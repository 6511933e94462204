import { recordChange } from '../audit';
import type { Call } from '../db/schema';
import { inTransaction, onCommit } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { instantRange } from '../lib/date-range';
import { Validation } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { teamScope, type Actor } from '../policy';
import { callCues } from '../recordings';
import {
  countCalls,
  decodeCursor,
  deleteCallRow,
  findAgentNames,
  findPersonByUsername,
  listCalls,
  type CallFilter,
} from './calls.queries';
import { callListSchema } from './calls.schemas';

/** The call list as the actor may see it, filtered, sorted and one page long, with the total count. */
export async function searchCalls(deps: AppDeps, actor: Actor, rawQuery: unknown, withCount = true) {
  const query = parseInput(callListSchema, rawQuery);
  const cursor = decodeCursor(query.cursor);
  if (query.cursor && !cursor)
    throw new Validation([{ path: 'cursor', message: 'The page cursor is not valid; start again.' }]);
  const scope = await teamScope(deps.db, actor);
  let agentId: number | undefined;
  if (query.agent) {
    const agent = await findPersonByUsername(deps.db, query.agent);
    agentId = agent?.id ?? -1;
  }
  const { agent: _agent, from, to, days, sort, order, cursor: _cursor, limit, ...rest } = query;
  const range = instantRange({ from, to });
  const filter: CallFilter = { ...rest, agentId, startedFrom: range.start, startedBefore: range.end };
  // "Last N days" stays relative, so a saved view shows this week's calls next week too.
  if (days) {
    const since = new Date(deps.clock.now().getTime() - days * 86_400_000).toISOString();
    if (!filter.startedFrom || filter.startedFrom < since) filter.startedFrom = since;
  }
  const page = await listCalls(deps.db, scope, filter, { sort, order, cursor, limit });
  const total = withCount ? await countCalls(deps.db, scope, filter) : null;
  return { query, scope, ...page, total };
}

type CallSummarySource = Pick<
  Call,
  | 'id'
  | 'source'
  | 'external_id'
  | 'agent_id'
  | 'team_id'
  | 'started_at'
  | 'direction'
  | 'category'
  | 'queue_wait_s'
  | 'hold_s'
  | 'duration_s'
  | 'csat'
  | 'abandoned'
  | 'evaluation_count'
  | 'recording_status'
> & { agent_username: string | null };

/** A call as an API list item. */
export function callSummaryJson(call: CallSummarySource) {
  return {
    id: call.id,
    source: call.source,
    external_id: call.external_id,
    agent: call.agent_username,
    agent_id: call.agent_id,
    team_id: call.team_id,
    started_at: call.started_at,
    direction: call.direction,
    category: call.category,
    queue_wait_s: call.queue_wait_s,
    hold_s: call.hold_s,
    duration_s: call.duration_s,
    csat: call.csat,
    abandoned: call.abandoned === 1,
    evaluated: call.evaluation_count > 0,
    recording_status: call.recording_status,
    recording_url: call.recording_status === 'stored' ? `/api/v1/calls/${call.id}/recording` : null,
  };
}

/** A call in full, with its recording's details and transcript cues. */
export function callJson(call: Call, agentUsername: string | null) {
  return {
    ...callSummaryJson({ ...call, agent_username: agentUsername }),
    queue: call.queue,
    recording: call.recording_status
      ? {
          status: call.recording_status,
          mime: call.recording_mime,
          bytes: call.recording_bytes,
          sha256: call.recording_sha256,
          codec: call.recording_codec,
          channels: call.recording_channels,
          sample_rate: call.recording_sample_rate,
          duration_s: call.recording_duration_s,
          original_name: call.recording_original_name,
          deleted_at: call.recording_deleted_at,
        }
      : null,
    transcript: call.transcript_format
      ? { format: call.transcript_format, source: call.transcript_source, cues: callCues(call) }
      : null,
    created_at: call.created_at,
  };
}

export async function agentUsername(deps: AppDeps, call: Call): Promise<string | null> {
  if (!call.agent_id) return null;
  const agent = await findAgentNames(deps.db, call.agent_id);
  return agent?.username ?? null;
}

/** Deletes a call and its recording together: the row first (in a transaction), the file after commit. */
export async function deleteCall(deps: AppDeps, actor: Actor, call: Call, ip?: string): Promise<void> {
  const now = isoNow(deps.clock);
  await inTransaction(deps.db, async (trx) => {
    await deleteCallRow(trx, call.id);
    await recordChange(trx, now, { actorId: actor.id, ip }, 'call.deleted', ['call', call.id], {
      external_id: call.external_id,
      recording_file: call.recording_file,
    });
    const file = call.recording_file;
    if (file) onCommit(trx, () => deps.storage.removeRecording(file));
  });
}
