import type { AppDeps } from '../deps';
import { S3RecordingStorage, type ListedObject } from '../recordings';
import { removeOrphans, type ReconcileReport } from './maintenance';
import { namedRecordingFiles, recordingRowsByFileAfter, setRecordingStatus } from './maintenance.queries';

const BATCH = 500;
const PAGE = 2000;
/** Call ids named in the log line about recordings missing from the bucket (the count is always whole). */
const MISSING_IDS_LOGGED = 100;

/**
 * The counts of the reconciler on disk, for the bucket: `promoted` staging objects whose row committed before a
 * crash were moved to their final key; `stagingRemoved` ones no row names, older than S3_STAGING_MAX_AGE_MIN,
 * were deleted.
 */
export interface RemoteReconcileReport extends ReconcileReport {
  /** The first calls whose recording is not in the bucket. */
  missingCallIds: number[];
}

/**
 * The bucket against the rows, run in the background after start-up (it never holds up /healthz or uploads):
 * staging objects a crash left are promoted (their row committed) or, once old enough, deleted (no row); rows
 * whose object is gone are flagged missing and reported, and unflagged if it comes back (rows and listing compared
 * in key order, no HEAD per row); recordings no row names are deleted. Does nothing for recordings on disk (the start-up reconciler in maintenance.ts covers those).
 */
export async function reconcileObjectStorage(
  deps: AppDeps,
  pages: ReconcilePages = {},
): Promise<RemoteReconcileReport | null> {
  const { storage } = deps;
  if (!(storage instanceof S3RecordingStorage)) return null;
  const report: RemoteReconcileReport = {
    promoted: 0,
    stagingRemoved: 0,
    flaggedMissing: 0,
    restored: 0,
    orphansRemoved: 0,
    missingCallIds: [],
  };
  await settleStaging(deps, storage, report);
  await checkRows(deps, storage, report, pages);
  await removeOrphans(deps, report);
  const level = report.flaggedMissing > 0 ? 'warn' : 'info';
  deps.logger[level](report, 'object storage reconciled');
  return report;
}

/** Staging objects page by page: promote those whose row committed, delete those with none once old enough. */
async function settleStaging(deps: AppDeps, storage: S3RecordingStorage, report: RemoteReconcileReport) {
  let batch: ListedObject[] = [];
  const settle = async () => {
    const named = await namedRecordingFiles(
      deps.db,
      batch.map((o) => o.name),
    );
    // The bucket's own clock dates the objects: their age is measured on the real clock, not the app's.
    const now = Date.now();
    for (const object of batch) {
      if (named.has(object.name)) {
        await storage.promoteStaged(object.name);
        report.promoted += 1;
      } else if (now - object.lastModifiedMs >= storage.settings.stagingMaxAgeMs) {
        await storage.deleteKey(storage.key('staging', object.name));
        report.stagingRemoved += 1;
      }
    }
    batch = [];
  };
  for await (const object of storage.list('staging')) {
    batch.push(object);
    if (batch.length >= BATCH) await settle();
  }
  if (batch.length > 0) await settle();
}

/** Sizes of the pages the reconciler reads: keys per list request, rows per query (tests make them small). */
export interface ReconcilePages {
  listPageSize?: number;
  rowPageSize?: number;
}

/**
 * The stored-or-missing rows against the bucket's `recordings/` listing, both in file-name order and both a page
 * at a time (a merge: memory stays flat at millions, and one list request covers 1,000 keys instead of a HEAD
 * per row). A row is flagged missing or unflagged as before; only a row not in the listing gets HEAD requests
 * (presentOrPromoted: its object may be under the staging key, or moved in since the listing was read).
 */
async function checkRows(
  deps: AppDeps,
  storage: S3RecordingStorage,
  report: RemoteReconcileReport,
  pages: ReconcilePages,
) {
  const listing = storage.list('recordings', pages.listPageSize)[Symbol.asyncIterator]();
  let listed = await listing.next();
  let previous = '';
  for (let after = ''; ;) {
    const rows = await recordingRowsByFileAfter(deps.db, after, pages.rowPageSize ?? PAGE);
    for (const row of rows) {
      const file = row.recording_file;
      // Keys come in byte order; a database whose collation orders names otherwise falls back to HEAD requests.
      const ordered = file > previous;
      if (ordered) previous = file;
      while (ordered && !listed.done && listed.value.name < file) listed = await listing.next();
      const inListing = ordered && !listed.done && listed.value.name === file;
      const present = inListing || (await presentOrPromoted(storage, file, report));
      await settleRow(deps, row, present, report);
    }
    const last = rows.at(-1);
    if (rows.length < (pages.rowPageSize ?? PAGE) || !last) break;
    after = last.recording_file;
  }
  await listing.return?.(undefined);
}

async function settleRow(
  deps: AppDeps,
  row: { id: number; recording_file: string; recording_status: string | null },
  present: boolean,
  report: RemoteReconcileReport,
) {
  if (row.recording_status === 'stored' && !present) {
    // Only if the row still names this file as stored (an upload or delete meanwhile wins).
    if (!(await setRecordingStatus(deps.db, row.id, row.recording_file, 'stored', 'missing'))) return;
    report.flaggedMissing += 1;
    if (report.missingCallIds.length < MISSING_IDS_LOGGED) report.missingCallIds.push(row.id);
  } else if (row.recording_status === 'missing' && present) {
    if (await setRecordingStatus(deps.db, row.id, row.recording_file, 'missing', 'stored')) report.restored += 1;
  }
}

/**
 * Whether a row's recording is in the bucket. A row that committed while this ran may still have its object
 * under the staging key (its request is about to move it): moved here instead of being flagged missing.
 */
async function presentOrPromoted(storage: S3RecordingStorage, file: string, report: RemoteReconcileReport) {
  if (await storage.exists(file)) return true;
  if (await storage.head(storage.key('staging', file))) {
    await storage.promoteStaged(file);
    report.promoted += 1;
    return true;
  }
  // Moved by its own request between the two looks.
  return storage.exists(file);
}
