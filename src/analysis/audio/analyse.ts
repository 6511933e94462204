// The analysis runs in child processes with a memory cap and a wall-clock limit, so a malformed or enormous
// recording can neither crash, hang nor bloat the server. The server keeps a pool of long-lived workers
// (./pool.ts); analyseAudio is the one-off form (a pool of one for one call), for tests and benches.
import fs from 'node:fs';
import path from 'node:path';
import { AnalysisPool, type PoolOptions } from './pool';
import type { AnalyseAudio } from './types';

const WORKER_FILE = path.join('dist', 'workers', 'analyse-audio.js');

/** The bundled worker, found above this file both in src/ (tests, tsx) and in dist/src/ (npm start). */
export function workerPath(): string | null {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, WORKER_FILE);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

/** The server's pool of analysis workers (started lazily: no process until the first call). */
export function analysisPool(options: Partial<PoolOptions> = {}): AnalysisPool {
  return new AnalysisPool(workerPath(), options);
}

/** Analyses one recording in a worker of its own, which exits afterwards. */
export const analyseAudio: AnalyseAudio = async (file, options) => {
  const pool = analysisPool({ size: 1 });
  try {
    return await pool.analyse(file, options);
  } finally {
    await pool.close();
  }
};
