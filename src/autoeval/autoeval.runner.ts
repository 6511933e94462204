import { PeriodicRunner } from '../db/periodic-runner';
import type { AppDeps } from '../deps';
import { autoRubrics, callsToReach, queuedCalls } from './autoeval.queries';
import { evaluateCalls, type RubricCache } from './autoeval.service';

// The background work of auto mode. Two sources of calls to (re)evaluate:
//  - the queue: calls stored with a transcript, or whose transcript or analysis changed, marked in the
//    transaction that stored or changed them (a call committed after a higher id is still reached);
//  - the sweep: analysed calls with no automatic evaluation by the current published version of a rubric in
//    auto mode (new calls, and every call after a new version is published). Each rubric version's sweep starts
//    at the first call once per process and then only looks past the last call it reached, so after start-up a
//    run reads only new calls.
// Calls are evaluated a few per transaction, which also takes them off the queue: a crash loses at most the
// transaction under way, whose calls are still queued or still unevaluated, and are done again (idempotent).

export interface RunResult {
  evaluated: number;
}

export class AutoEvaluationRunner extends PeriodicRunner<AppDeps, RunResult> {
  private readonly cursors = new Map<number, number>();

  constructor() {
    super({ job: 'auto-evaluations', failure: 'automatic evaluations failed' });
  }

  /** Runs until the queue is empty and every auto rubric has reached every analysed call. */
  protected async work(deps: AppDeps): Promise<RunResult> {
    const rubrics = await autoRubrics(deps.db);
    const cache: RubricCache = new Map();
    const now = () => deps.clock.now().toISOString();
    let evaluated = await this.inChunks(
      (limit) => queuedCalls(deps.db, limit),
      (chunk) => evaluateCalls(deps.db, chunk, rubrics, cache, { now: now(), fromQueue: true }),
    );
    for (const rubric of rubrics) {
      evaluated += await this.inChunks(
        (limit) => callsToReach(deps.db, rubric, this.cursors.get(rubric.id) ?? 0, limit),
        async (chunk) => {
          await evaluateCalls(deps.db, chunk, [rubric], cache, { now: now(), fromQueue: false });
          this.cursors.set(rubric.id, chunk[chunk.length - 1] ?? 0);
        },
      );
    }
    return { evaluated };
  }
}
