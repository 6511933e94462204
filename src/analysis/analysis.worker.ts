import type { AppDeps } from '../deps';
import type { AnalyseAudio } from './audio/types';
import { DEFAULT_JOB_POLICY, runNextJob, type JobPolicy } from './analysis.jobs';

export interface WorkerTiming {
  /** How long the worker sleeps when the queue is empty before it looks again (new calls also wake it). */
  idleMs: number;
  /** The pause between two jobs of a lane, so requests get the database and the event loop in between. */
  pauseMs: number;
}

const DEFAULT_TIMING: WorkerTiming = { idleMs: 10_000, pauseMs: 25 };

/** The analysers' pool, when the jobs own one: its size is the number of lanes, and it is closed on stop. */
export interface AnalyserPool {
  readonly size: number;
  readonly analyse: AnalyseAudio;
  close(): Promise<void>;
}

interface Lane {
  timer: NodeJS.Timeout | null;
  current: Promise<unknown> | null;
}

/**
 * The background analysis of calls: jobs from the queue in the database (call_analyses), one per lane at a
 * time (one lane per worker of the pool), a short pause between jobs, a sleep when there is nothing to do. The
 * queue is durable, so a restart loses nothing: a job that was running when the process died is claimed again
 * once its lease runs out, and one cut by a clean stop is put back at once. Tests do not start the loop; they
 * call `drain()` to run what is due.
 */
export class AnalysisJobs {
  readonly analyse: AnalyseAudio;
  private readonly pool: AnalyserPool | null;
  private readonly lanes: Lane[];
  private deps: AppDeps | null = null;
  private stopped = false;

  constructor(
    analyser: AnalyseAudio | AnalyserPool,
    readonly policy: JobPolicy = DEFAULT_JOB_POLICY,
    private readonly timing: WorkerTiming = DEFAULT_TIMING,
  ) {
    this.pool = typeof analyser === 'function' ? null : analyser;
    this.analyse = typeof analyser === 'function' ? analyser : analyser.analyse;
    const count = Math.max(1, this.pool?.size ?? 1);
    this.lanes = Array.from({ length: count }, () => ({ timer: null, current: null }));
  }

  /** Starts the loop (src/server.ts, after the server listens). */
  start(deps: AppDeps): void {
    this.deps = deps;
    this.stopped = false;
    for (const lane of this.lanes) this.schedule(lane, 0);
  }

  /** A new job was queued: look now rather than after the idle sleep. */
  wake(): void {
    if (!this.deps || this.stopped) return;
    for (const lane of this.lanes) if (lane.timer && !lane.current) this.schedule(lane, 0);
  }

  /**
   * Stops the loop. The pool's workers are killed, so a job under way is cut and put back in the queue (a
   * two-hour recording does not hold up a restart); then waits for the lanes to settle.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const lane of this.lanes) {
      if (lane.timer) clearTimeout(lane.timer);
      lane.timer = null;
    }
    await this.pool?.close();
    await Promise.all(this.lanes.map((lane) => lane.current));
  }

  /** Runs every job that is due now, one after another; returns how many ran. */
  async drain(deps: AppDeps, max = 1000): Promise<number> {
    let ran = 0;
    while (ran < max && (await runNextJob(deps, this.analyse, this.policy)) === 'ran') ran += 1;
    return ran;
  }

  private schedule(lane: Lane, ms: number): void {
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = setTimeout(() => this.tick(lane), ms);
    lane.timer.unref();
  }

  private tick(lane: Lane): void {
    const deps = this.deps;
    if (!deps || this.stopped) return;
    lane.timer = null;
    const run = runNextJob(deps, this.analyse, this.policy).then(
      (outcome) => outcome,
      (err: unknown) => {
        deps.logger.error({ err }, 'the analysis worker failed; it tries again later');
        return 'idle' as const;
      },
    );
    lane.current = run;
    void run.then((outcome) => {
      lane.current = null;
      if (!this.stopped) this.schedule(lane, outcome === 'ran' ? this.timing.pauseMs : this.timing.idleMs);
    });
  }
}
