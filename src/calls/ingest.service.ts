import { enqueueAnalysis } from '../analysis';
import { recordChange } from '../audit';
import { callFactsChanged } from '../autoeval';
import { isUniqueViolation } from '../db/errors';
import type { Call, NewCall } from '../db/schema';
import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { crashPoint } from '../lib/faults';
import { Conflict, Validation } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { findTeam } from '../org';
import { inTeamScope, mayTakeCalls, teamScope, type Actor, type TeamScope } from '../policy';
import { checkRecording, checkTranscript, discardStaged, type StagedFile } from '../recordings';
import { deleteCallRow, findCall, findCallByExternalId, findPersonByUsername, insertCall } from './calls.queries';
import { callFieldsSchema, type CallFields } from './calls.schemas';
import { callSpeakerNames } from './transcript.service';

export interface IngestResult {
  call: Call;
  created: boolean;
}

export interface IngestFiles {
  recording?: StagedFile;
  transcript?: StagedFile;
}

/** The agent and team a call is placed on. */
export interface Placement {
  agent_id: number | null;
  team_id: number | null;
}

/** The agent and team a call belongs to, as seen by the actor: an agent outside their scope does not exist. */
export async function placeCall(deps: AppDeps, scope: TeamScope, fields: CallFields): Promise<Placement> {
  if (!fields.agent) {
    // A team out of scope and a team that does not exist read the same (and never reach the foreign key).
    if (fields.team_id && (!inTeamScope(scope, fields.team_id) || !(await findTeam(deps.db, fields.team_id)))) {
      throw new Validation([{ path: 'team_id', message: 'No such team.' }]);
    }
    return { agent_id: null, team_id: fields.team_id ?? null };
  }
  const agent = await findPersonByUsername(deps.db, fields.agent);
  if (!agent || !mayTakeCalls(agent) || !inTeamScope(scope, agent.team_id)) {
    // Someone outside the actor's teams reads the same as no one (scope rule), but the message says where
    // the actor looked, so a CSR of another team is not mistaken for a typo.
    const where = scope.all ? '' : ' in your teams';
    throw new Validation([{ path: 'agent', message: `No CSR named ${fields.agent}${where}.` }]);
  }
  return { agent_id: agent.id, team_id: agent.team_id };
}

export function callRow(fields: CallFields, placement: Placement, now: string, actorId: number | null): NewCall {
  return {
    source: fields.source ?? 'default',
    external_id: fields.external_id,
    agent_id: placement.agent_id,
    team_id: placement.team_id,
    queue: fields.queue ?? null,
    started_at: fields.started_at,
    direction: fields.direction,
    category: fields.category ?? null,
    queue_wait_s: fields.queue_wait_s ?? 0,
    hold_s: fields.hold_s ?? 0,
    duration_s: fields.duration_s ?? 0,
    csat: fields.csat ?? null,
    abandoned: fields.abandoned ? 1 : 0,
    created_by: actorId,
    created_at: now,
  };
}

/** The call's fields, refusing files sent as text fields and a recording on an abandoned call. */
function ingestFields(raw: unknown, files: IngestFiles): CallFields {
  const fields = parseInput(callFieldsSchema, raw);
  for (const kind of ['recording', 'transcript'] as const) {
    const value = (raw as Record<string, unknown> | null)?.[kind];
    if (typeof value === 'string' && value !== '' && !files[kind]) {
      throw new Validation([{ path: kind, message: `Send the ${kind} as a file, not as a text field.` }]);
    }
  }
  if (fields.abandoned && files.recording) {
    throw new Validation([{ path: 'recording', message: 'An abandoned call has no recording.' }]);
  }
  return fields;
}

/**
 * Stores one call with its optional recording and transcript. Files are checked before the transaction,
 * the row commits, and only then does the recording move out of staging. The same external id again
 * returns the existing call and leaves nothing behind.
 */
export async function ingestCall(
  deps: AppDeps,
  actor: Actor,
  raw: unknown,
  files: IngestFiles,
  ip?: string,
): Promise<IngestResult> {
  try {
    const fields = ingestFields(raw, files);
    const scope = await teamScope(deps.db, actor);
    const placement = await placeCall(deps, scope, fields);
    const existing = await findCallByExternalId(deps.db, fields.source ?? 'default', fields.external_id);
    if (existing) return { call: visibleOrConflict(existing, scope), created: false };
    const recording = files.recording ? await checkRecording(deps, files.recording) : null;
    const transcript = files.transcript
      ? await checkTranscript(deps, files.transcript, await callSpeakerNames(deps, placement.agent_id))
      : null;
    const now = isoNow(deps.clock);
    const row: NewCall = {
      ...callRow(fields, placement, now, actor.id),
      ...(recording ? { ...recording.columns, recording_file: recording.file } : {}),
      ...(transcript ? { transcript_format: transcript.format, transcript: transcript.text } : {}),
    };
    if (recording && files.recording) await stageUpload(deps, files.recording.stagedName, recording.file);
    let id: number;
    try {
      id = await inTransaction(deps.db, async (trx) => {
        const callId = await insertCall(trx, row);
        // Every call stored with a recording is analysed (DOMAIN.md, Automatic analysis).
        if (recording) await enqueueAnalysis(trx, callId, now);
        // A call stored with its transcript is analysed already: queued for the automatic rules in this
        // transaction, so a runner's sweep that has passed its id (a later id committed first) still reaches it.
        if (transcript) await callFactsChanged(trx, callId, now);
        await recordChange(trx, now, { actorId: actor.id, ip }, 'call.created', ['call', callId], {
          external_id: fields.external_id,
          recording: Boolean(recording),
        });
        return callId;
      });
    } catch (err) {
      if (recording) await deps.storage.unstageRecording(recording.file);
      if (!isUniqueViolation(err)) throw err;
      // Another upload of the same external id committed first: theirs stands.
      const winner = await findCallByExternalId(deps.db, row.source ?? 'default', fields.external_id);
      if (!winner) throw err;
      return { call: visibleOrConflict(winner, scope), created: false };
    }
    if (recording && files.recording) {
      crashPoint('recording-committed');
      await promoteOrUndo(deps, id, files.recording.stagedName, recording.file);
      deps.analysis.wake();
    }
    return { call: await storedCall(deps, id), created: true };
  } finally {
    await discardStaged(deps.storage, [files.recording, files.transcript]);
  }
}

/** Object storage: the upload goes under its staging key before its row exists (a 503 here saves nothing). */
async function stageUpload(deps: AppDeps, stagedName: string, file: string): Promise<void> {
  await deps.storage.stageRecording(stagedName, file);
  crashPoint('recording-staged');
}

/** Moves the recording in; if it can't be, takes the row back out so nothing points at a missing recording. */
async function promoteOrUndo(deps: AppDeps, callId: number, stagedName: string, file: string): Promise<void> {
  try {
    await deps.storage.promote(stagedName, file);
  } catch (err) {
    await deleteCallRow(deps.db, callId);
    await deps.storage.unstageRecording(file);
    throw err;
  }
}

async function storedCall(deps: AppDeps, id: number): Promise<Call> {
  const call = await findCall(deps.db, id);
  if (!call) throw new Error(`Call ${id} was stored but could not be read back.`);
  return call;
}

function visibleOrConflict(call: Call, scope: TeamScope): Call {
  if (inTeamScope(scope, call.team_id)) return call;
  throw new Conflict('A call with this external id already exists.', 'duplicate');
}
