import type { AppDeps } from '../deps';
import { keptPeaksFiles } from './analysis.queries';

/** A recording's peaks file: `<recording name>.peaks`. */
const PEAKS_FILE = /^[a-f0-9]{32}\.peaks$/;
/**
 * An analysis's unfinished peaks (`RecordingStorage.peaksTempPath`, and the analyser's `.partial` beside it):
 * `<recording name>.<instance>.<unique>.tmp`; files from before the instance was in the name have none.
 */
const TEMP_FILE = /^[a-f0-9]{32}\.(?:([A-Za-z0-9_-]+)\.)?[a-f0-9]{32}\.tmp(?:\.partial)?$/;
/** Another process's unfinished peaks go only once older than any run (analysis and speech-to-text) takes. */
const OTHERS_TEMP_MAX_AGE_MS = 2 * 60 * 60_000;
/** Peaks file names checked per query. */
const BATCH = 500;

export interface PeaksCleanUp {
  tempRemoved: number;
  orphansRemoved: number;
}

/**
 * Start-up clean-up of the peaks folder (src/server.ts, before the analysis worker starts): unfinished peaks a
 * crashed run left (this process's at once, another process's once two hours old), and peaks files whose call
 * is gone or whose recording was deleted. One pass over the folder, a query per 500 names; other files stay.
 */
export async function cleanUpPeaks(deps: AppDeps): Promise<PeaksCleanUp> {
  const { storage } = deps;
  const report: PeaksCleanUp = { tempRemoved: 0, orphansRemoved: 0 };
  let names: string[] = [];
  const removeOrphans = async () => {
    const kept = await keptPeaksFiles(deps.db, names);
    for (const name of names) {
      if (kept.has(name)) continue;
      await storage.removeFromPeaksFolder(name);
      report.orphansRemoved += 1;
    }
    names = [];
  };
  for await (const name of storage.iteratePeaksFolder()) {
    if (PEAKS_FILE.test(name)) {
      names.push(name);
      if (names.length >= BATCH) await removeOrphans();
    } else if (await isLeftoverTemp(deps, name)) {
      await storage.removeFromPeaksFolder(name);
      report.tempRemoved += 1;
    }
  }
  if (names.length > 0) await removeOrphans();
  deps.logger.info(report, 'waveform peaks cleaned up');
  return report;
}

async function isLeftoverTemp(deps: AppDeps, name: string): Promise<boolean> {
  const temp = TEMP_FILE.exec(name);
  if (!temp) return false;
  if (temp[1] === deps.storage.instance) return true;
  const mtime = await deps.storage.peaksFolderMtime(name);
  return mtime !== null && deps.clock.now().getTime() - mtime >= OTHERS_TEMP_MAX_AGE_MS;
}
