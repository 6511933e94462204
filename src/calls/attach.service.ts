import { enqueueAnalysis } from '../analysis';
import { recordChange } from '../audit';
import { inTransaction, type Tx } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, Validation } from '../lib/errors';
import { checkRecording, type StagedFile } from '../recordings';
import { clearRecording, setRecordingIfNone } from './attach.queries';
import { findCall } from './calls.queries';

/** A call that already has (or had) a recording: the new file is not put on it. */
export class RecordingExists extends Conflict {
  constructor() {
    super('The call already has a recording.', 'duplicate');
  }
}

export interface AttachOptions {
  /** Who attaches it (null: the system, e.g. the recordings inbox). */
  actorId: number | null;
  /** What the audit line says of where the file came from. */
  details?: Record<string, unknown>;
  /** More writes in the same transaction (e.g. the inbox marking its file taken). */
  alsoInTransaction?: (trx: Tx) => Promise<void>;
}

/**
 * Puts a staged recording on an existing call that has none, as an upload with the call would: the same
 * checks (a bad file throws the upload's 415/422 error), staged, the row set and analysis queued in one
 * transaction, and the file moved into place only after the commit. The staged file is left to the caller.
 */
export async function attachRecording(
  deps: AppDeps,
  callId: number,
  staged: StagedFile,
  options: AttachOptions,
): Promise<void> {
  const call = await findCall(deps.db, callId);
  if (!call) throw new Error(`Call ${callId} does not exist.`);
  if (call.recording_file !== null || call.recording_status !== null) throw new RecordingExists();
  if (call.abandoned) throw new Validation([{ path: 'recording', message: 'An abandoned call has no recording.' }]);
  const recording = await checkRecording(deps, staged);
  await deps.storage.stageRecording(staged.stagedName, recording.file);
  const now = isoNow(deps.clock);
  try {
    await inTransaction(deps.db, async (trx) => {
      const columns = { ...recording.columns, recording_file: recording.file };
      if (!(await setRecordingIfNone(trx, callId, columns))) throw new RecordingExists();
      await enqueueAnalysis(trx, callId, now);
      await recordChange(trx, now, { actorId: options.actorId }, 'call.recording_attached', ['call', callId], {
        ...options.details,
        recording_file: recording.file,
      });
      if (options.alsoInTransaction) await options.alsoInTransaction(trx);
    });
  } catch (err) {
    await deps.storage.unstageRecording(recording.file);
    throw err;
  }
  try {
    await deps.storage.promote(staged.stagedName, recording.file);
  } catch (err) {
    await clearRecording(deps.db, callId, recording.file);
    await deps.storage.unstageRecording(recording.file);
    throw err;
  }
  deps.analysis.wake();
}
