import { setImmediate as yieldToRequests } from 'node:timers/promises';
import { runJobOnce } from '../db/exclusive';
import type { AppDeps } from '../deps';
import { autoRubrics, callsToReach, queuedCalls } from './autoeval.queries';
import { evaluateCalls, type RubricCache } from './autoeval.service';

// The background work of auto mode. Two sources of calls to (re)evaluate:
//  - the queue: calls whose transcript or analysis changed, marked in the transaction that changed them;
//  - the sweep: analysed calls with no automatic evaluation by the current published version of a rubric in
//    auto mode (new calls, and every call after a new version is published). Each rubric version's sweep starts
//    at the first call once per process and then only looks past the last call it reached, so after start-up a
//    run reads only new calls.
// Calls are evaluated a few per transaction, which also takes them off the queue: a crash loses at most the
// transaction under way, whose calls are still queued or still unevaluated, and are done again (idempotent).

const BATCH = 200;
const PER_TRANSACTION = 25;

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export interface RunResult {
  evaluated: number;
}

export class AutoEvaluationRunner {
  private readonly cursors = new Map<number, number>();
  private running: Promise<RunResult> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;

  /** Runs until the queue is empty and every auto rubric has reached every analysed call; one run at a time. */
  run(deps: AppDeps): Promise<RunResult> {
    this.running ??= this.work(deps).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Runs now and then every `everyMs`, until stopped; in one app process at a time (src/db/exclusive.ts). */
  start(deps: AppDeps, everyMs = 15_000): void {
    const tick = () => {
      runJobOnce(deps.db, 'auto-evaluations', () => this.run(deps)).catch((err: unknown) =>
        deps.logger.error({ err }, 'automatic evaluations failed'),
      );
    };
    tick();
    this.timer = setInterval(tick, everyMs);
    this.timer.unref();
  }

  /** Stops after the call under way. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async work(deps: AppDeps): Promise<RunResult> {
    const rubrics = await autoRubrics(deps.db);
    const cache: RubricCache = new Map();
    let evaluated = 0;
    const now = () => deps.clock.now().toISOString();
    for (;;) {
      const calls = await queuedCalls(deps.db, BATCH);
      for (const chunk of chunks(calls, PER_TRANSACTION)) {
        if (this.stopping) return { evaluated };
        await evaluateCalls(deps.db, chunk, rubrics, cache, { now: now(), fromQueue: true });
        evaluated += chunk.length;
      }
      if (calls.length < BATCH) break;
      await yieldToRequests();
    }
    for (const rubric of rubrics) {
      for (;;) {
        const calls = await callsToReach(deps.db, rubric, this.cursors.get(rubric.id) ?? 0, BATCH);
        for (const chunk of chunks(calls, PER_TRANSACTION)) {
          if (this.stopping) return { evaluated };
          await evaluateCalls(deps.db, chunk, [rubric], cache, { now: now(), fromQueue: false });
          this.cursors.set(rubric.id, chunk[chunk.length - 1] ?? 0);
          evaluated += chunk.length;
        }
        if (calls.length < BATCH) break;
        await yieldToRequests();
      }
    }
    return { evaluated };
  }
}
