import type { AppDeps } from '../deps';
import { inTransaction } from '../db/transaction';
import { S3RecordingStorage } from '../recordings';
import { donePeaksAfter, keptPeaksFiles, requeueDone } from './analysis.queries';

/** A recording's peaks file: `<recording name>.peaks`. */
const PEAKS_FILE = /^[a-f0-9]{32}\.peaks$/;
/**
 * An analysis's unfinished peaks (`RecordingStorage.peaksTempPath`, and the analyser's `.partial` beside it):
 * `<recording name>.<instance>.<unique>.tmp`; files from before the instance was in the name have none.
 */
const TEMP_FILE = /^[a-f0-9]{32}\.(?:([A-Za-z0-9_-]+)\.)?[a-f0-9]{32}\.tmp(?:\.partial)?$/;
/**
 * A process's generated instance name (`newInstanceId`: `<host>-<pid>-<6 hex>`): such a process holds a staging
 * lease while it runs, so its unfinished peaks are a crash's leftovers as soon as it holds none.
 */
const LEASED_INSTANCE = /-\d+-[0-9a-f]{6}$/;
/** Any other process's unfinished peaks go only once older than any run (analysis and speech-to-text) takes. */
const OTHERS_TEMP_MAX_AGE_MS = 2 * 60 * 60_000;
/** Peaks file names checked per query. */
const BATCH = 500;

export interface PeaksCleanUp {
  tempRemoved: number;
  orphansRemoved: number;
  /** Done analyses whose peaks file was missing (a crash between the commit and the file's move): queued again. */
  lostRequeued: number;
}

/**
 * Start-up clean-up of the peaks folder (src/server.ts, before the analysis worker starts): unfinished peaks a
 * crashed run left (this process's at once, another process's once two hours old), and peaks files whose call
 * is gone or whose recording was deleted. One pass over the folder, a query per 500 names; other files stay.
 * Then the other way round: a done analysis whose peaks file is not there is queued again, so a waveform lost to
 * a crash between a run's commit and its file's move comes back by itself.
 */
export async function cleanUpPeaks(deps: AppDeps, liveInstances?: ReadonlySet<string>): Promise<PeaksCleanUp> {
  const { storage } = deps;
  const report: PeaksCleanUp = { tempRemoved: 0, orphansRemoved: 0, lostRequeued: 0 };
  const sweep = orphanSweep(deps, report, (name) => storage.removeFromPeaksFolder(name));
  for await (const name of storage.iteratePeaksFolder()) {
    if (PEAKS_FILE.test(name)) {
      await sweep.add(name);
    } else if (await isLeftoverTemp(deps, name, liveInstances)) {
      await storage.removeFromPeaksFolder(name);
      report.tempRemoved += 1;
    }
  }
  const present = await sweep.finish();
  // Object storage: the peaks in the bucket are checked in the background (cleanUpStoredPeaks).
  if (!storage.remote) report.lostRequeued = await requeueLostPeaks(deps, present);
  deps.logger.info(report, 'waveform peaks cleaned up');
  return report;
}

/**
 * The bucket's peaks (RECORDINGS_URL=s3://…), in the background after start-up: peaks no kept recording names are
 * deleted, and a done analysis whose peaks are not in the bucket is queued again. Null for peaks on disk.
 */
export async function cleanUpStoredPeaks(deps: AppDeps): Promise<PeaksCleanUp | null> {
  const { storage } = deps;
  if (!(storage instanceof S3RecordingStorage)) return null;
  const report: PeaksCleanUp = { tempRemoved: 0, orphansRemoved: 0, lostRequeued: 0 };
  const sweep = orphanSweep(deps, report, (name) => storage.deleteKey(storage.key('peaks', name)));
  for await (const { name } of storage.list('peaks')) {
    if (PEAKS_FILE.test(name)) await sweep.add(name);
  }
  const present = await sweep.finish();
  report.lostRequeued = await requeueLostPeaks(deps, present);
  deps.logger.info(report, 'waveform peaks in object storage cleaned up');
  return report;
}

/**
 * Peaks files met on a walk, checked against the kept recordings a BATCH at a time: those no kept recording
 * names are removed (and counted in the report). `finish` checks the last batch and returns every name met.
 */
function orphanSweep(deps: AppDeps, report: PeaksCleanUp, remove: (name: string) => Promise<unknown>) {
  const present = new Set<string>();
  let names: string[] = [];
  const removeOrphans = async () => {
    const kept = await keptPeaksFiles(deps.db, names);
    for (const name of names) {
      if (kept.has(name)) continue;
      await remove(name);
      report.orphansRemoved += 1;
    }
    names = [];
  };
  return {
    async add(name: string): Promise<void> {
      present.add(name);
      names.push(name);
      if (names.length >= BATCH) await removeOrphans();
    },
    async finish(): Promise<Set<string>> {
      if (names.length > 0) await removeOrphans();
      return present;
    },
  };
}

/** Queues again every done analysis of a stored recording whose peaks file is not among `present`. */
async function requeueLostPeaks(deps: AppDeps, present: Set<string>): Promise<number> {
  let requeued = 0;
  for (let after = 0; ;) {
    const page = await donePeaksAfter(deps.db, after, BATCH);
    const last = page[page.length - 1];
    if (!last) return requeued;
    after = last.call_id;
    const lost = page.filter((row) => row.peaks_file === null || !present.has(row.peaks_file)).map((r) => r.call_id);
    if (lost.length === 0) continue;
    const now = deps.clock.now().toISOString();
    requeued += await inTransaction(deps.db, (trx) => requeueDone(trx, lost, now));
    deps.logger.warn({ callIds: lost }, 'waveform peaks missing for analysed calls: queued again');
  }
}

/**
 * Whether an unfinished peaks file is a crashed run's: this process's, or a process's that holds no staging lease
 * any more (`liveInstances`, the instances whose lease is alive; a process restarted after kill -9 has a new
 * name, so its previous self's files are found here), or one older than any run takes.
 */
async function isLeftoverTemp(deps: AppDeps, name: string, live?: ReadonlySet<string>): Promise<boolean> {
  const temp = TEMP_FILE.exec(name);
  if (!temp) return false;
  const instance = temp[1];
  if (instance === deps.storage.instance) return true;
  if (live && instance !== undefined && LEASED_INSTANCE.test(instance) && !live.has(instance)) return true;
  const mtime = await deps.storage.peaksFolderMtime(name);
  return mtime !== null && deps.clock.now().getTime() - mtime >= OTHERS_TEMP_MAX_AGE_MS;
}
