import type { Config } from '../config';
import { S3RecordingStorage } from './s3-storage';
import { RecordingStorage } from './storage';

/** Local disk under DATA_DIR, or the bucket RECORDINGS_URL names. */
export function createRecordingStorage(config: Config, instance = 'main'): RecordingStorage {
  return config.objectStorage
    ? new S3RecordingStorage(config.recordingsDir, config.objectStorage, instance)
    : new RecordingStorage(config.recordingsDir, instance);
}

/**
 * Whether recordings can be stored and read now (for /readyz): the recordings folder is writable, or the bucket
 * answers. Resolves `{ ok: false, reason }` rather than throwing; the reason names no secret.
 */
export async function storageReady(storage: RecordingStorage): Promise<{ ok: boolean; reason?: string }> {
  try {
    await storage.ready();
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: storage.remote ? 'object storage unreachable' : `recordings folder: ${codeOf(err)}` };
  }
}

function codeOf(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : 'not writable';
}
