import type { AppDeps } from '../deps';
import type { AnalyseAudio } from './audio/types';
import { DEFAULT_JOB_POLICY, runNextJob, type JobPolicy } from './analysis.jobs';

export interface WorkerTiming {
  /** How long the worker sleeps when the queue is empty before it looks again (new calls also wake it). */
  idleMs: number;
  /** The pause between two jobs, so requests get the database and the event loop in between. */
  pauseMs: number;
}

const DEFAULT_TIMING: WorkerTiming = { idleMs: 10_000, pauseMs: 200 };

/**
 * The background analysis of calls: one job at a time from the queue in the database (call_analyses), a pause
 * between jobs, a sleep when there is nothing to do. The queue is durable, so a restart loses nothing: a job
 * that was running when the process died is claimed again once its lease runs out. Tests do not start the loop;
 * they call `drain()` to run what is due.
 */
export class AnalysisJobs {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<unknown> | null = null;
  private deps: AppDeps | null = null;
  private stopped = false;

  constructor(
    readonly analyse: AnalyseAudio,
    readonly policy: JobPolicy = DEFAULT_JOB_POLICY,
    private readonly timing: WorkerTiming = DEFAULT_TIMING,
  ) {}

  /** Starts the loop (src/server.ts, after the server listens). */
  start(deps: AppDeps): void {
    this.deps = deps;
    this.stopped = false;
    this.schedule(0);
  }

  /** A new job was queued: look now rather than after the idle sleep. */
  wake(): void {
    if (this.deps && !this.stopped && this.timer && !this.current) this.schedule(0);
  }

  /** Stops after the job under way (its run is not cut: the analyser has its own time limit). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.current;
  }

  /** Runs every job that is due now, one after another; returns how many ran. */
  async drain(deps: AppDeps, max = 1000): Promise<number> {
    let ran = 0;
    while (ran < max && (await runNextJob(deps, this.analyse, this.policy)) === 'ran') ran += 1;
    return ran;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), ms);
    this.timer.unref();
  }

  private tick(): void {
    const deps = this.deps;
    if (!deps || this.stopped) return;
    this.timer = null;
    const run = runNextJob(deps, this.analyse, this.policy).then(
      (outcome) => outcome,
      (err: unknown) => {
        deps.logger.error({ err }, 'the analysis worker failed; it tries again later');
        return 'idle' as const;
      },
    );
    this.current = run;
    void run.then((outcome) => {
      this.current = null;
      if (!this.stopped) this.schedule(outcome === 'ran' ? this.timing.pauseMs : this.timing.idleMs);
    });
  }
}
