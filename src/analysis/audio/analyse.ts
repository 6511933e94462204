// analyseAudio: runs the analysis worker in a child process with a memory cap and a wall-clock limit, so a
// malformed or enormous recording can neither crash, hang nor bloat the server.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { AnalyseAudio, AudioAnalysisOptions, AudioAnalysisResult } from './types';

export const DEFAULT_TIME_LIMIT_MS = 10 * 60_000;
/** V8's heap cap for the worker; decoding streams, so its heap stays small whatever the length of the call. */
const WORKER_HEAP_MB = 64;
/** Far more than the JSON of a 10-hour call; a worker printing more is stopped. */
const MAX_RESULT_BYTES = 64 * 1024 * 1024;
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

/** Runs the worker; resolves with its stdout, or null when it was killed or failed without a word. */
function runWorker(args: string[], timeLimitMs: number): Promise<{ stdout: string; killed: boolean }> {
  return new Promise((resolve) => {
    // stderr is dropped: a damaged file makes the decoders print a line per bad frame.
    // One malloc arena: the worker is single-threaded work, and extra arenas only hold freed memory.
    const env = { MALLOC_ARENA_MAX: '1' };
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'], env });
    const parts: Buffer[] = [];
    let bytes = 0;
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, timeLimitMs);
    child.stdout.on('data', (part: Buffer) => {
      bytes += part.length;
      if (bytes <= MAX_RESULT_BYTES) parts.push(part);
      else if (!killed) child.kill('SIGKILL');
    });
    child.on('error', () => undefined);
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(parts).toString('utf8'), killed });
    });
  });
}

export const analyseAudio: AnalyseAudio = async (file: string, options: AudioAnalysisOptions) => {
  const timeLimitMs = options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  const { agentChannel, deadAirMinS, peaksPath } = options;
  // A small young generation and an explicit collection every few chunks (source.ts) keep the worker's RSS
  // flat: decoders allocate fresh typed arrays per chunk, garbage V8 otherwise lets pile up.
  const args = [`--max-old-space-size=${WORKER_HEAP_MB}`, '--max-semi-space-size=1', '--expose-gc', workerPath(), file];
  args.push(JSON.stringify({ agentChannel, deadAirMinS, peaksPath }));
  const { stdout, killed } = await runWorker(args, timeLimitMs);
  const result = killed ? null : parseResult(stdout);
  if (!result || !result.ok) {
    removeQuietly(`${peaksPath}.partial`);
    removeQuietly(peaksPath);
  }
  if (result) return result;
  if (killed) {
    const seconds = Math.round(timeLimitMs / 1000);
    return { ok: false, message: `Analysing the recording took longer than ${seconds} s; it was stopped.` };
  }
  return { ok: false, message: 'The recording could not be analysed; it looks damaged.' };
};
