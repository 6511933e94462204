import fsp from 'node:fs/promises';
import { recordAudit } from '../audit';
import { isUniqueViolation } from '../db/errors';
import type { Call, NewCall } from '../db/schema';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { AppError, Conflict, Validation } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { inTeamScope, teamScope, type Actor, type TeamScope } from '../policy';
import { probeAudio } from './audio-probe';
import { sniffAudioFile, wavIsTruncated } from './audio-type';
import { findCall, findCallByExternalId } from './calls.queries';
import { callFieldsSchema, type CallFields } from './calls.schemas';
import { RecordingStorage, sha256File } from './storage';
import { TranscriptError, validateTranscript } from './transcript';

/** A file multer has streamed into the staging folder. */
export interface StagedFile {
  stagedName: string;
  originalName: string;
  size: number;
}

export class UnsupportedMedia extends AppError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}

export class Unprocessable extends AppError {
  readonly status = 422;
  readonly code = 'invalid_file';
}

export interface IngestResult {
  call: Call;
  created: boolean;
}

interface Recording {
  file: string;
  columns: Partial<NewCall>;
}

/** The agent and team a call belongs to, as seen by the actor: an agent outside their scope does not exist. */
export async function placeCall(deps: AppDeps, scope: TeamScope, fields: CallFields) {
  if (!fields.agent) {
    if (fields.team_id && !inTeamScope(scope, fields.team_id)) {
      throw new Validation([{ path: 'team_id', message: 'No such team.' }]);
    }
    return { agent_id: null, team_id: fields.team_id ?? null };
  }
  const agent = await deps.db
    .selectFrom('users')
    .select(['id', 'team_id', 'role'])
    .where('username', '=', fields.agent)
    .executeTakeFirst();
  if (!agent || agent.role !== 'csr' || !inTeamScope(scope, agent.team_id)) {
    throw new Validation([{ path: 'agent', message: `No CSR named ${fields.agent}.` }]);
  }
  return { agent_id: agent.id, team_id: agent.team_id };
}

async function checkRecording(deps: AppDeps, staged: StagedFile): Promise<Recording> {
  const stagedPath = deps.storage.stagedPath(staged.stagedName);
  if (staged.size === 0) throw new Unprocessable('The recording is empty.');
  const type = await sniffAudioFile(stagedPath);
  if (!type) {
    throw new UnsupportedMedia(
      'The recording is not a supported audio file (WAV, MP3, OGG/Opus, FLAC, M4A/AAC, WebM).',
    );
  }
  if (type.extension === 'wav' && (await wavIsTruncated(stagedPath, staged.size))) {
    throw new Unprocessable('The WAV recording is cut short: it holds less audio than its header says.');
  }
  const probe = await probeAudio(stagedPath);
  if (!probe.ok) throw new Unprocessable(probe.message);
  if (!probe.format.duration_s) throw new Unprocessable('The recording holds no audio.');
  return {
    file: `${staged.stagedName}.${type.extension}`,
    columns: {
      recording_status: 'stored',
      recording_original_name: staged.originalName.slice(0, 255),
      recording_mime: type.mime,
      recording_bytes: staged.size,
      recording_sha256: await sha256File(stagedPath),
      recording_codec: probe.format.codec?.slice(0, 60) ?? null,
      recording_channels: probe.format.channels,
      recording_sample_rate: probe.format.sample_rate,
      recording_duration_s: probe.format.duration_s,
    },
  };
}

async function checkTranscript(deps: AppDeps, staged: StagedFile) {
  const bytes = await fsp.readFile(deps.storage.stagedPath(staged.stagedName));
  try {
    return validateTranscript(bytes);
  } catch (err) {
    if (err instanceof TranscriptError) throw new Unprocessable(err.message);
    throw err;
  }
}

export function callRow(
  fields: CallFields,
  placement: { agent_id: number | null; team_id: number | null },
  now: string,
  actorId: number | null,
): NewCall {
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

/**
 * Stores one call with its optional recording and transcript. Files are checked before the transaction,
 * the row commits, and only then does the recording move out of staging. The same external id again
 * returns the existing call and leaves nothing behind.
 */
export async function ingestCall(
  deps: AppDeps,
  actor: Actor,
  raw: unknown,
  files: { recording?: StagedFile; transcript?: StagedFile },
  ip?: string,
): Promise<IngestResult> {
  try {
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
    const scope = await teamScope(deps.db, actor);
    const placement = await placeCall(deps, scope, fields);
    const existing = await findCallByExternalId(deps.db, fields.source ?? 'default', fields.external_id);
    if (existing) return { call: visibleOrConflict(existing, scope), created: false };
    const recording = files.recording ? await checkRecording(deps, files.recording) : null;
    const transcript = files.transcript ? await checkTranscript(deps, files.transcript) : null;
    const now = isoNow(deps.clock);
    const row: NewCall = {
      ...callRow(fields, placement, now, actor.id),
      ...(recording ? { ...recording.columns, recording_file: recording.file } : {}),
      ...(transcript ? { transcript_format: transcript.format, transcript: transcript.text } : {}),
    };
    let id: number;
    try {
      id = await deps.db.transaction().execute(async (trx) => {
        const callId = (await trx.insertInto('calls').values(row).returning('id').executeTakeFirstOrThrow()).id;
        await recordAudit(trx, now, {
          actorId: actor.id,
          action: 'call.created',
          entityType: 'call',
          entityId: callId,
          details: { external_id: fields.external_id, recording: Boolean(recording) },
          ip,
        });
        return callId;
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // Another upload of the same external id committed first: theirs stands.
      const winner = await findCallByExternalId(deps.db, row.source ?? 'default', fields.external_id);
      if (!winner) throw err;
      return { call: visibleOrConflict(winner, scope), created: false };
    }
    if (recording && files.recording) {
      try {
        await deps.storage.promote(files.recording.stagedName, recording.file);
      } catch (err) {
        // The file could not be moved in: take the row back out so nothing points at a missing recording.
        await deps.db.deleteFrom('calls').where('id', '=', id).execute();
        throw err;
      }
    }
    return { call: (await findCall(deps.db, id))!, created: true };
  } finally {
    await discardStaged(deps.storage, files);
  }
}

function visibleOrConflict(call: Call, scope: TeamScope): Call {
  if (inTeamScope(scope, call.team_id)) return call;
  throw new Conflict('A call with this external id already exists.', 'duplicate');
}

/** Whatever is still in staging after an ingest (refused, duplicate, or already moved) is removed. */
async function discardStaged(storage: RecordingStorage, files: { recording?: StagedFile; transcript?: StagedFile }) {
  for (const file of [files.recording, files.transcript]) {
    if (file) await storage.removeStaged(file.stagedName);
  }
}
