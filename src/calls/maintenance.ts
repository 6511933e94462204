import { recordChange } from '../audit';
import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { getSettings } from '../settings';
import {
  markRecordingDeleted,
  namedRecordingFiles,
  recordingRowsAfter,
  recordingsStartedBefore,
  setRecordingStatus,
} from './maintenance.queries';
import { adoptDeadStaging, liveInstances } from './staging-instances';

const STAGING_MAX_AGE_MS = 60 * 60_000;
const BATCH = 500;
/** Rows per page when the reconciler walks the calls with a recording. */
const PAGE = 2000;

export interface ReconcileReport {
  stagingRemoved: number;
  promoted: number;
  flaggedMissing: number;
  restored: number;
  orphansRemoved: number;
}

/** Staged file name → modification time, of the files still in staging. */
export type StagedSnapshot = Map<string, number>;
type Staged = StagedSnapshot;

/**
 * This process's staging folder as it is before the server listens: everything in it then is a crash's
 * leftover, with the files of dead processes' folders taken over first (staging-instances.ts). Taken before
 * listening, so the reconciler can run in the background while new uploads stage.
 */
export async function snapshotStaging(deps: AppDeps): Promise<StagedSnapshot> {
  await adoptDeadStaging(deps);
  return new Map((await deps.storage.listStaged()).map((f) => [f.name, f.mtimeMs]));
}

/**
 * While running (every few minutes): a process that died elsewhere since this one started has its staging taken
 * over and settled like a start-up's leftovers (a committed row's file moved in, the rest removed). Null when
 * there was nothing to take over.
 */
export async function sweepDeadStaging(deps: AppDeps): Promise<ReconcileReport | null> {
  const adopted = await adoptDeadStaging(deps);
  return adopted.size > 0 ? reconcileStorage(deps, adopted) : null;
}

/**
 * Start-up clean-up of what a crash may have left: a row whose recording is still in staging gets it moved
 * in; a row whose file is gone is flagged (and unflagged if it comes back); recordings that no row names are
 * deleted. The server listens first and this runs in the background, so only what this process's own staging
 * folder held before listening (`staged`, from `snapshotStaging`, with what it took over from dead processes) is
 * a crash's leftover and goes at once. A live process's folder (its lease held) is never touched; files in a
 * folder without any lease (older versions) go once they are an hour old. Uploads made meanwhile are left alone: a
 * row whose file is still staged is being moved in by its request, not missing.
 */
export async function reconcileStorage(deps: AppDeps, snapshot?: StagedSnapshot): Promise<ReconcileReport> {
  const report: ReconcileReport = { stagingRemoved: 0, promoted: 0, flaggedMissing: 0, restored: 0, orphansRemoved: 0 };
  // Page through the rows and stream the folder, so memory stays flat however many recordings there are.
  const staged: Staged = new Map(snapshot ?? (await snapshotStaging(deps)));
  // Object storage: the rows against the bucket are checked in the background (remote-reconcile.ts).
  if (!deps.storage.remote) {
    await reconcileRows(deps, staged, report);
    await removeOrphans(deps, report);
  }
  for (const name of staged.keys()) {
    await deps.storage.removeStaged(name);
    report.stagingRemoved += 1;
  }
  const now = deps.clock.now().getTime();
  for (const { name, mtimeMs } of await deps.storage.listOthersStaged(await liveInstances(deps))) {
    if (now - mtimeMs < STAGING_MAX_AGE_MS) continue;
    await deps.storage.removeOthersStaged(name);
    report.stagingRemoved += 1;
  }
  deps.logger.info(report, 'recording storage reconciled');
  return report;
}

/** Every stored-or-missing row against the folder: promote what staging still holds, flag or unflag the rest. */
async function reconcileRows(deps: AppDeps, staged: Staged, report: ReconcileReport): Promise<void> {
  const { storage, db } = deps;
  for (let after = 0; ;) {
    const rows = await recordingRowsAfter(db, after, PAGE);
    for (const row of rows) {
      const file = row.recording_file;
      if (file === null) throw new Error(`Call ${row.id} has a ${row.recording_status} recording but no file name.`);
      const stagedName = file.split('.')[0] ?? file;
      let present = storage.existsSync(file);
      if (!present && staged.has(stagedName)) {
        await storage.promote(stagedName, file);
        staged.delete(stagedName);
        report.promoted += 1;
        present = true;
      }
      if (row.recording_status === 'stored' && !present) {
        // An upload committed its row and is moving the file in: staging first, then the folder (in that order,
        // so a rename between the two checks is still seen).
        if (storage.stagedAnywhereSync(stagedName) || storage.existsSync(file)) continue;
        if (await setRecordingStatus(db, row.id, file, 'stored', 'missing')) report.flaggedMissing += 1;
      } else if (row.recording_status === 'missing' && present) {
        if (await setRecordingStatus(db, row.id, file, 'missing', 'stored')) report.restored += 1;
      }
    }
    const last = rows.at(-1);
    if (rows.length < PAGE || !last) break;
    after = last.id;
    // Requests go first between pages: the queries resolve as microtasks and would otherwise hold the event loop.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A recording no stored-or-missing row names is an orphan (checked a batch of names per query). */
export async function removeOrphans(deps: AppDeps, report: Pick<ReconcileReport, 'orphansRemoved'>): Promise<void> {
  let names: string[] = [];
  const removeUnnamed = async () => {
    const known = await namedRecordingFiles(deps.db, names);
    for (const file of names) {
      if (known.has(file)) continue;
      await deps.storage.removeRecording(file);
      report.orphansRemoved += 1;
    }
    names = [];
  };
  for await (const file of deps.storage.iterateRecordings()) {
    names.push(file);
    if (names.length >= BATCH) await removeUnnamed();
  }
  if (names.length) await removeUnnamed();
}

/** Deletes recordings older than the retention setting; the calls, transcripts and scores stay. */
export async function applyRetention(deps: AppDeps): Promise<number> {
  const { recording_retention_days: days } = await getSettings(deps.db);
  if (days <= 0) return 0;
  const cutoff = new Date(deps.clock.now().getTime() - days * 86_400_000).toISOString();
  let deleted = 0;
  for (;;) {
    const batch = await recordingsStartedBefore(deps.db, cutoff, BATCH);
    if (batch.length === 0) break;
    const now = isoNow(deps.clock);
    await inTransaction(deps.db, async (trx) => {
      for (const call of batch) {
        await markRecordingDeleted(trx, call.id, now);
        await recordChange(trx, now, { actorId: null }, 'recording.retention_deleted', ['call', call.id], {
          external_id: call.external_id,
          file: call.recording_file,
          started_at: call.started_at,
          retention_days: days,
        });
      }
    });
    for (const call of batch) if (call.recording_file) await removeOrLeave(deps, call.recording_file);
    deleted += batch.length;
  }
  if (deleted) deps.logger.info({ deleted, days }, 'recordings past retention deleted');
  return deleted;
}

/** A recording whose row is marked deleted; if the storage is away it stays an orphan for the reconciler. */
async function removeOrLeave(deps: AppDeps, file: string): Promise<void> {
  try {
    await deps.storage.removeRecording(file);
  } catch (err) {
    deps.logger.warn({ err, file }, 'recording past retention not deleted yet; the reconciler removes it later');
  }
}
