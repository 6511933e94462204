import fsp from 'node:fs/promises';
import path from 'node:path';
import { ingestCall } from '../calls';
import type { AppDeps } from '../deps';
import { RecordingStorage, type StagedFile } from '../recordings';
import { parseCallsCsv } from '../imports';
import { PROJECT_ROOT } from '../lib/paths';

// Recorded demo calls: the sample recordings (and their transcripts) reused on a share of the last two weeks'
// calls of every demo CSR, stored through the recordings room like any upload, so they play, get analysed,
// and a newcomer can score one straight away.

const SAMPLE_CALLS_DIR = path.join(PROJECT_ROOT, 'samples', 'calls');
const RECORDED_CSRS = ['csr.dana', 'csr.lee', 'csr.omar', 'csr.priya'];
const DAYS = 14;

interface Sample {
  base: string;
  values: Record<string, string>;
}

async function samples(): Promise<Sample[]> {
  const csv = await fsp.readFile(path.join(SAMPLE_CALLS_DIR, 'calls.csv'), 'utf8');
  return parseCallsCsv(csv).map((row) => ({ base: row.values.external_id ?? '', values: row.values }));
}

async function stage(deps: AppDeps, name: string): Promise<StagedFile> {
  const stagedName = RecordingStorage.newName();
  const source = path.join(SAMPLE_CALLS_DIR, name);
  await fsp.copyFile(source, deps.storage.stagedPath(stagedName));
  return { stagedName, originalName: name, size: (await fsp.stat(source)).size };
}

/** About one recorded call a day per CSR over the last two weeks (some days none); returns how many. */
export async function loadDemoRecordings(deps: AppDeps, adminId: number): Promise<number> {
  const pool = await samples();
  if (pool.length === 0) return 0;
  const today = Date.parse(deps.clock.now().toISOString().slice(0, 10));
  let stored = 0;
  let n = 0;
  for (const agent of RECORDED_CSRS) {
    for (let day = 1; day <= DAYS; day += 1) {
      n += 1;
      if (n % 3 === 0) continue; // a day without a recorded call now and then
      const sample = pool[n % pool.length];
      if (!sample) continue;
      const startedAt = new Date(today - day * 86_400_000 + (9 + (n % 8)) * 3_600_000 + (n % 60) * 60_000);
      const fields = {
        ...sample.values,
        // Marked as the demo's, so the admin's guided start does not take them for a connected phone system.
        source: 'demo',
        external_id: `demo-rec-${agent}-${day}`,
        agent,
        started_at: startedAt.toISOString(),
        recording: undefined,
        transcript: undefined,
      };
      const files = {
        recording: await stage(deps, `${sample.base}.wav`),
        transcript: await stage(deps, `${sample.base}.vtt`),
      };
      const result = await ingestCall(deps, { id: adminId, role: 'admin' }, fields, files);
      if (result.created) stored += 1;
    }
  }
  return stored;
}
