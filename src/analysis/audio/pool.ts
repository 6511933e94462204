// A small pool of long-lived analysis workers (child processes, ./worker.ts): a call no longer pays for a node
// start-up, yet every call keeps its own limits. A worker that runs past the time limit, grows past the memory
// limit or dies is killed and forgotten (the call fails with a message); the next call gets a fresh one.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { AnalyseAudio, AudioAnalysisOptions, AudioAnalysisResult } from './types';

export const DEFAULT_TIME_LIMIT_MS = 10 * 60_000;

export interface PoolOptions {
  /** Worker processes, so calls analysed at once (ANALYSIS_WORKERS, default 1). */
  size: number;
  /** A worker whose RSS passes this during a call is killed and the call failed (ANALYSIS_WORKER_MAX_MB). */
  maxRssMb: number;
  /** A worker left above this RSS after a call is replaced before the next call. */
  recycleRssMb: number;
  /** A worker is replaced after this many calls, so a slow leak in a decoder cannot build up. */
  maxCallsPerWorker: number;
}

export const DEFAULT_POOL_OPTIONS: PoolOptions = { size: 1, maxRssMb: 256, recycleRssMb: 128, maxCallsPerWorker: 500 };

/** V8's heap cap for a worker; decoding streams, so its heap stays small whatever the length of the call. */
const WORKER_HEAP_MB = 64;
/** How often the RSS of a busy worker is read. */
const RSS_POLL_MS = 200;

/** The pool was closed (the server is stopping) while a call was being analysed: the call was not judged. */
export class AnalysisStopped extends Error {
  constructor() {
    super('The analysis was stopped because the server is stopping.');
  }
}

interface Worker {
  child: ChildProcess;
  calls: number;
}

type Outcome =
  | { kind: 'result'; result: AudioAnalysisResult; rssBytes: number }
  | { kind: 'timeout' }
  | { kind: 'memory' }
  | { kind: 'died' };

/** A process's resident memory from /proc (Linux); null where it cannot be read (then only the heap cap holds). */
export function readRssBytes(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function removeQuietly(file: string): void {
  fs.rmSync(file, { force: true });
}

export class AnalysisPool {
  private readonly options: PoolOptions;
  private readonly idle: Worker[] = [];
  private readonly workers = new Set<Worker>();
  private readonly waiting: Array<(worker: Worker | null) => void> = [];
  private serial = 0;
  private closed = false;

  constructor(
    private readonly workerFile: string | null,
    options: Partial<PoolOptions> = {},
  ) {
    this.options = { ...DEFAULT_POOL_OPTIONS, ...options };
  }

  get size(): number {
    return this.options.size;
  }

  /** The process ids of the workers alive now (tests check that none outlives the pool). */
  pids(): number[] {
    return [...this.workers].flatMap((w) => (w.child.pid === undefined ? [] : [w.child.pid]));
  }

  readonly analyse: AnalyseAudio = async (file, options) => {
    if (!this.workerFile) {
      return {
        ok: false,
        message: 'The audio analyser is not built (dist/workers/analyse-audio.js): run npm run build.',
      };
    }
    const worker = await this.acquire();
    if (!worker) throw new AnalysisStopped();
    const outcome = await this.runOn(worker, file, options);
    if (outcome.kind !== 'result' || !outcome.result.ok) {
      removeQuietly(`${options.peaksPath}.partial`);
      removeQuietly(options.peaksPath);
    }
    await this.release(worker, outcome);
    return this.resultOf(outcome, options);
  };

  /** Kills every worker (a call under way rejects with AnalysisStopped) and waits until all have exited. */
  async close(): Promise<void> {
    this.closed = true;
    for (const resolve of this.waiting.splice(0)) resolve(null);
    const exits = [...this.workers].map((w) => this.kill(w));
    this.idle.length = 0;
    await Promise.all(exits);
  }

  private resultOf(outcome: Outcome, options: AudioAnalysisOptions): AudioAnalysisResult {
    switch (outcome.kind) {
      case 'result':
        return outcome.result;
      case 'timeout': {
        const seconds = Number(((options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS) / 1000).toFixed(1));
        return { ok: false, message: `Analysing the recording took longer than ${seconds} s; it was stopped.` };
      }
      case 'memory':
        return {
          ok: false,
          message: `Analysing the recording needed more than ${this.options.maxRssMb} MB of memory; it was stopped.`,
        };
      case 'died':
        if (this.closed) throw new AnalysisStopped();
        return { ok: false, message: 'The recording could not be analysed; it looks damaged.' };
    }
  }

  private acquire(): Promise<Worker | null> {
    if (this.closed) return Promise.resolve(null);
    const ready = this.idle.pop();
    if (ready) return Promise.resolve(ready);
    if (this.workers.size < this.options.size) return Promise.resolve(this.spawn());
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Back to the pool, or replaced: a worker that failed its call, grew fat or served its share is not reused. */
  private async release(worker: Worker, outcome: Outcome): Promise<void> {
    worker.calls += 1;
    const healthy =
      outcome.kind === 'result' &&
      outcome.rssBytes <= this.options.recycleRssMb * 1024 * 1024 &&
      worker.calls < this.options.maxCallsPerWorker;
    const next = this.closed ? undefined : this.waiting.shift();
    if (healthy && next) next(worker);
    else if (healthy && !this.closed) this.idle.push(worker);
    else if (next) next(this.spawn());
    // The replaced worker is gone (exited and reaped) before the call's answer is given.
    if (!healthy) await this.kill(worker);
  }

  private spawn(): Worker {
    // A small young generation and an explicit collection every few chunks (source.ts) keep the worker's RSS
    // flat: decoders allocate fresh typed arrays per chunk, garbage V8 otherwise lets pile up. One malloc
    // arena: the worker is single-threaded work, and extra arenas only hold freed memory. Its stdout and
    // stderr are dropped (a damaged file makes the decoders print a line per bad frame); the environment is
    // empty but for that.
    const execArgv = [`--max-old-space-size=${WORKER_HEAP_MB}`, '--max-semi-space-size=1', '--expose-gc'];
    const child = fork(this.workerFile ?? '', [], {
      execArgv,
      env: { MALLOC_ARENA_MAX: '1' },
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    // An idle worker does not keep the server (or a test) alive; a call under way does, by its timers.
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
    const worker: Worker = { child, calls: 0 };
    this.workers.add(worker);
    child.on('error', () => undefined);
    child.once('exit', () => {
      this.workers.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
    });
    return worker;
  }

  private kill(worker: Worker): Promise<void> {
    const { child } = worker;
    this.workers.delete(worker);
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** One call on one worker, under the call's time limit and the pool's memory limit. */
  private runOn(worker: Worker, file: string, options: AudioAnalysisOptions): Promise<Outcome> {
    const { child } = worker;
    const id = ++this.serial;
    const maxRssBytes = this.options.maxRssMb * 1024 * 1024;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(meter);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (outcome.kind === 'timeout' || outcome.kind === 'memory') void this.kill(worker);
        resolve(outcome);
      };
      const onMessage = (message: { id?: number; result?: AudioAnalysisResult; rssBytes?: number }) => {
        if (message.id !== id || !message.result) return;
        finish({ kind: 'result', result: message.result, rssBytes: message.rssBytes ?? 0 });
      };
      const onExit = () => finish({ kind: 'died' });
      const timer = setTimeout(() => finish({ kind: 'timeout' }), options.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS);
      const meter = setInterval(() => {
        if ((readRssBytes(child.pid) ?? 0) > maxRssBytes) finish({ kind: 'memory' });
      }, RSS_POLL_MS);
      child.on('message', onMessage);
      child.once('exit', onExit);
      if (child.exitCode !== null || child.signalCode !== null) return finish({ kind: 'died' });
      child.send({ id, file, options }, (err) => {
        if (err) finish({ kind: 'died' });
      });
    });
  }
}
