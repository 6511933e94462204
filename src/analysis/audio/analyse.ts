// analyseAudio: runs the analysis worker in a child process with a memory cap and a wall-clock limit, so a
// malformed or enormous recording can neither crash, hang nor bloat the server.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { AnalyseAudio, AudioAnalysisOptions, AudioAnalysisResult } from './types';

export const DEFAULT_TIME_LIMIT_MS = 10 * 60_000;
/** V8's heap cap for the worker; decoding streams, so its heap stays small whatever the length of the call. */
const WORKER_HEAP_MB = 64;
const WORKER_FILE = path.join('dist', 'workers', 'analyse-audio.js');

/** The bundled worker, found above this file both in src/ (tests, tsx) and in dist/src/ (npm start). */
export function workerPath(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, WORKER_FILE);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) {
      throw new Error(`The audio analysis worker (${WORKER_FILE}) is missing: run \`npm run build\`.`);
    }
  }
}

function removeQuietly(file: string): void {
  fs.rmSync(file, { force: true });
}

function parseResult(stdout: string): AudioAnalysisResult | null {
  try {
    const parsed = JSON.parse(stdout) as AudioAnalysisResult;
    if (parsed.ok === true && typeof parsed.analysis === 'object') return parsed;
    if (parsed.ok === false && typeof parsed.message === 'string') return parsed;
  } catch {
    // Reported below as a damaged recording.
  }
  return null;
}

export const analyseAudio: AnalyseAudio = (file: string, options: AudioAnalysisOptions) => {
  const timeLimitMs = options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  const { agentChannel, deadAirMinS, peaksPath } = options;
  const args = [`--max-old-space-size=${WORKER_HEAP_MB}`, workerPath(), file];
  args.push(JSON.stringify({ agentChannel, deadAirMinS, peaksPath }));
  return new Promise<AudioAnalysisResult>((resolve) => {
    execFile(
      process.execPath,
      args,
      { timeout: timeLimitMs, maxBuffer: 64 * 1024 * 1024, killSignal: 'SIGKILL', env: {} },
      (err, stdout) => {
        const result = err ? null : parseResult(stdout);
        if (!result || !result.ok) {
          removeQuietly(`${peaksPath}.partial`);
          removeQuietly(peaksPath);
        }
        if (result) return resolve(result);
        if (err && (err.killed || err.signal)) {
          const seconds = Math.round(timeLimitMs / 1000);
          return resolve({
            ok: false,
            message: `Analysing the recording took longer than ${seconds} s; it was stopped.`,
          });
        }
        resolve({ ok: false, message: 'The recording could not be analysed; it looks damaged.' });
      },
    );
  });
};
