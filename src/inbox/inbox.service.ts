import fsp from 'node:fs/promises';
import path from 'node:path';
import { attachRecording, RecordingExists } from '../calls';
import type { InboxFile } from '../db/schema';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { AppError, NotFound, Validation } from '../lib/errors';
import { RecordingStorage, type StagedFile } from '../recordings';
import type { InboxConfig } from './inbox.config';
import {
  callForUniqueid,
  dismiss,
  findInboxFile,
  forgetRows,
  insertSeenFile,
  noteChanged,
  openRows,
  reopen,
  setStatus,
  upsertRejected,
  type SeenFile,
} from './inbox.queries';

// The recordings inbox (issue 18): a folder the phone system writes recordings into, swept on start and every
// minute. A file is taken once its size and time held across two sweeps `stableMs` apart, matched to its call
// by the uniqueid in its name, stored like an upload (checks, storage, analysis), and removed from the folder
// only once its recording is committed and in place. Anything else is kept and reported (admin page).

export interface SweepReport {
  seen: number;
  taken: number;
  reported: number;
}

const HOUR = 3_600_000;

export const BAD_NAME = "The file name does not follow the inbox's pattern, so no call can be told from it.";

/** One pass over the inbox folder; a file that fails is logged and tried again on the next pass. */
export async function sweepInbox(deps: AppDeps): Promise<SweepReport> {
  const report: SweepReport = { seen: 0, taken: 0, reported: 0 };
  const inbox = deps.config.inbox;
  if (!inbox) return report;
  const entries = await fsp.readdir(inbox.dir, { withFileTypes: true });
  const present = new Set<string>();
  for (const entry of entries) {
    // Hidden files are a writer's temporary names (rsync, some phone systems): never taken.
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    present.add(entry.name);
    report.seen += 1;
    try {
      await sweepFile(deps, inbox, entry.name, report);
    } catch (err) {
      deps.logger.error({ err, file: entry.name }, 'recordings inbox: a file could not be handled');
    }
  }
  // A held or reported file someone removed from the folder: nothing is left to report.
  const gone = (await openRows(deps.db)).filter((row) => !present.has(row.name)).map((row) => row.id);
  await forgetRows(deps.db, gone);
  return report;
}

async function seenFile(dir: string, name: string): Promise<SeenFile | null> {
  const stat = await fsp.stat(path.join(dir, name)).catch(() => null);
  return stat?.isFile() ? { name, size: stat.size, mtime_ms: Math.floor(stat.mtimeMs) } : null;
}

async function sweepFile(deps: AppDeps, inbox: InboxConfig, name: string, report: SweepReport): Promise<void> {
  const seen = await seenFile(inbox.dir, name);
  if (!seen) return;
  const now = isoNow(deps.clock);
  const nowMs = deps.clock.now().getTime();
  const row = await findInboxFile(deps.db, name);
  // Taken, but the folder's copy could not be removed then: removed now.
  if (row?.status === 'matched') return removeFromInbox(deps, inbox, name);
  // Reported or dismissed: it waits for a person (retry on the admin page).
  if (row && row.status !== 'pending') return;
  const uniqueid = inbox.pattern.exec(name)?.groups?.uniqueid;
  if (!uniqueid) {
    if (row) await setStatus(deps.db, row.id, 'rejected', now, { reason: BAD_NAME });
    else await upsertRejected(deps.db, seen, BAD_NAME, now);
    report.reported += 1;
    return;
  }
  if (!row) return insertSeenFile(deps.db, seen, now);
  if (row.size !== seen.size || row.mtime_ms !== seen.mtime_ms) return noteChanged(deps.db, row.id, seen, now);
  // Still being written, as far as anyone can tell: not taken until it held still long enough.
  if (nowMs - Date.parse(row.stable_since ?? row.first_seen) < inbox.stableMs) return;
  const callId = await callForUniqueid(deps.db, uniqueid);
  if (callId === null) {
    if (nowMs - Date.parse(row.first_seen) < inbox.holdMs) return;
    const hours = Math.round((inbox.holdMs / HOUR) * 10) / 10;
    const reason = `No call record with uniqueid ${uniqueid} arrived within ${hours} h. Import the phone system's call records, then retry.`;
    await setStatus(deps.db, row.id, 'unmatched', now, { reason });
    report.reported += 1;
    return;
  }
  if (await take(deps, inbox, row, callId)) report.taken += 1;
  else report.reported += 1;
}

/** Why a file is refused, as an upload of it would be told; null for a fault that is not the file's. */
function refusal(err: unknown): string | null {
  if (err instanceof Validation) return err.details.map((d) => d.message).join(' ');
  if (err instanceof AppError && err.status >= 400 && err.status < 500) return err.message;
  return null;
}

/** Stores the file on its call; true when taken, false when kept and reported (duplicate or refused). */
async function take(deps: AppDeps, inbox: InboxConfig, row: InboxFile, callId: number): Promise<boolean> {
  const now = isoNow(deps.clock);
  if (row.size > deps.config.maxUploadBytes) {
    const limitMb = Math.round(deps.config.maxUploadBytes / 1024 / 1024);
    await setStatus(deps.db, row.id, 'rejected', now, { reason: `The file is larger than the ${limitMb} MB limit.` });
    return false;
  }
  // A copy: the inbox's file stays until its recording is committed and in place.
  const staged: StagedFile = { stagedName: RecordingStorage.newName(), originalName: row.name, size: row.size };
  try {
    await fsp.copyFile(path.join(inbox.dir, row.name), deps.storage.stagedPath(staged.stagedName));
    await attachRecording(deps, callId, staged, {
      actorId: null,
      details: { inbox_file: row.name },
      alsoInTransaction: (trx) => setStatus(trx, row.id, 'matched', now, { call_id: callId, reason: null }),
    });
  } catch (err) {
    if (err instanceof RecordingExists) {
      const reason = 'Its call already has a recording; this file was kept in the inbox.';
      await setStatus(deps.db, row.id, 'duplicate', now, { reason, call_id: callId });
      return false;
    }
    const reason = refusal(err);
    if (reason === null) throw err;
    await setStatus(deps.db, row.id, 'rejected', now, { reason, call_id: callId });
    return false;
  } finally {
    await deps.storage.removeStaged(staged.stagedName);
  }
  await removeFromInbox(deps, inbox, row.name);
  return true;
}

async function removeFromInbox(deps: AppDeps, inbox: InboxConfig, name: string): Promise<void> {
  try {
    await fsp.rm(path.join(inbox.dir, name), { force: true });
  } catch (err) {
    // Stored already; the next sweep removes it (a read-only inbox is the phone system's permissions).
    deps.logger.warn({ err, file: name }, 'recordings inbox: a stored file could not be removed from the folder');
  }
}

/** "Retry now": a reported file goes back to pending and is tried on a sweep started at once. */
export async function retryInboxFile(deps: AppDeps, id: number): Promise<void> {
  if (!(await reopen(deps.db, id, isoNow(deps.clock)))) throw new NotFound('No such reported file.');
}

export async function dismissInboxFile(deps: AppDeps, id: number): Promise<void> {
  if (!(await dismiss(deps.db, id, isoNow(deps.clock)))) throw new NotFound('No such reported file.');
}
