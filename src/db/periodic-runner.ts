import { setImmediate as yieldToRequests } from 'node:timers/promises';
import type { DB } from './database';
import { runJobOnce } from './exclusive';

// The base of the background runners that work through calls (auto mode's evaluations, call topics): one run at
// a time in this process, and, started, a tick every period through runJobOnce (one process at a time on
// PostgreSQL). A subclass writes `work`; `inChunks` walks batches of call ids a few per transaction, giving the
// event loop back between batches and stopping after the chunk under way when the runner is stopped.

export interface RunnerDeps {
  db: DB;
  logger: { error: (obj: object, msg: string) => void };
}

export interface RunnerOptions {
  /** The job's name in job_runs (one process at a time). */
  job: string;
  /** What the log says when a tick fails. */
  failure: string;
  /** A run asked for while one is under way makes that run go round once more (instead of just joining it). */
  rerunWhenAsked?: boolean;
}

const BATCH = 200;
const PER_TRANSACTION = 25;

export abstract class PeriodicRunner<D extends RunnerDeps, R> {
  private running: Promise<R> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  protected stopping = false;

  protected constructor(private readonly options: RunnerOptions) {}

  /** One pass of the runner's work (a subclass goes round again while `goAgain()` answers true). */
  protected abstract work(deps: D): Promise<R>;

  /** Runs the work now; while a run is under way, joins it (and, with rerunWhenAsked, has it go round again). */
  run(deps: D): Promise<R> {
    if (this.running) {
      if (this.options.rerunWhenAsked) this.again = true;
      return this.running;
    }
    this.again = false;
    this.running = this.work(deps).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Runs now and then every `everyMs`, until stopped; in one app process at a time (src/db/exclusive.ts). */
  start(deps: D, everyMs = 15_000): void {
    const tick = () => {
      runJobOnce(deps.db, this.options.job, () => this.run(deps)).catch((err: unknown) =>
        deps.logger.error({ err }, this.options.failure),
      );
    };
    tick();
    this.timer = setInterval(tick, everyMs);
    this.timer.unref();
  }

  /** Stops after the chunk under way. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Asks for one more pass after this one (the work found its inputs changed under it). */
  protected askAgain(): void {
    this.again = true;
  }

  /** Whether the work should go round once more (asked for since the pass began, and not stopping); resets it. */
  protected goAgain(): boolean {
    const again = this.again && !this.stopping;
    this.again = false;
    return again;
  }

  /**
   * Takes batches of call ids from `next` until one comes back short, and hands them to `handle` a few at a time
   * (each a transaction of its own); stops when the runner stops or `handle` answers false. Answers how many
   * calls were handled.
   */
  protected async inChunks(
    next: (limit: number) => Promise<number[]>,
    handle: (chunk: number[]) => Promise<boolean | void>,
  ): Promise<number> {
    let handled = 0;
    while (!this.stopping) {
      const calls = await next(BATCH);
      for (let i = 0; i < calls.length; i += PER_TRANSACTION) {
        if (this.stopping) return handled;
        const chunk = calls.slice(i, i + PER_TRANSACTION);
        if ((await handle(chunk)) === false) return handled;
        handled += chunk.length;
      }
      if (calls.length < BATCH) return handled;
      await yieldToRequests();
    }
    return handled;
  }
}
