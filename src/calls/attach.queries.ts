import type { Executor } from '../db/transaction';
import type { NewCall } from '../db/schema';

/** Sets a call's recording unless it has one (or had one, since deleted): true when set. */
export async function setRecordingIfNone(db: Executor, callId: number, columns: Partial<NewCall>): Promise<boolean> {
  const result = await db
    .updateTable('calls')
    .set(columns)
    .where('id', '=', callId)
    .where('recording_file', 'is', null)
    .where('recording_status', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Takes a recording back off its call (its file could not be moved into place). */
export async function clearRecording(db: Executor, callId: number, file: string): Promise<void> {
  await db
    .updateTable('calls')
    .set({
      recording_status: null,
      recording_file: null,
      recording_original_name: null,
      recording_mime: null,
      recording_bytes: null,
      recording_sha256: null,
      recording_codec: null,
      recording_channels: null,
      recording_sample_rate: null,
      recording_duration_s: null,
    })
    .where('id', '=', callId)
    .where('recording_file', '=', file)
    .execute();
  await db.deleteFrom('call_analyses').where('call_id', '=', callId).where('status', '=', 'pending').execute();
}
