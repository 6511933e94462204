import { recordAudit, recordChange } from '../audit';
import type { AnalysisStatus, Call, CallAnalysis } from '../db/schema';
import { inTransaction, type Tx } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict } from '../lib/errors';
import type { Actor } from '../policy';
import { findAnalysis, insertJob, queueCounts, queueUnanalysed, requeueCall, requeueFailed } from './analysis.queries';

/**
 * Queues the analysis of a call that has just been stored with a recording, inside the unit of work that
 * stores it, so a call is never kept without its job. The caller wakes the worker (`deps.analysis.wake()`)
 * once the recording is in place.
 */
export async function enqueueAnalysis(trx: Tx, callId: number, now: string): Promise<void> {
  await insertJob(trx, callId, now);
}

/** Calls queued per backfill transaction: each is short, so pages are not kept waiting behind it. */
const BACKFILL_BATCH = 500;

/** Queues every call with a stored recording that has no analysis yet; returns how many. */
export async function backfillAnalyses(deps: AppDeps, actor: Actor, ip?: string): Promise<number> {
  let queued = 0;
  for (;;) {
    const now = isoNow(deps.clock);
    const added = await inTransaction(deps.db, (trx) => queueUnanalysed(trx, now, BACKFILL_BATCH));
    queued += added;
    if (added < BACKFILL_BATCH) break;
  }
  await recordAudit(deps.db, isoNow(deps.clock), {
    actorId: actor.id,
    action: 'analysis.backfill',
    details: { queued },
    ip,
  });
  deps.analysis.wake();
  return queued;
}

/** Every failed analysis queued again; returns how many. */
export async function retryFailedAnalyses(deps: AppDeps, actor: Actor, ip?: string): Promise<number> {
  const now = isoNow(deps.clock);
  const queued = await inTransaction(deps.db, async (trx) => {
    const n = await requeueFailed(trx, now);
    await recordAudit(trx, now, { actorId: actor.id, action: 'analysis.retry_failed', details: { queued: n }, ip });
    return n;
  });
  deps.analysis.wake();
  return queued;
}

/** One call's analysis run again (after a settings change, or a failure); a call without a recording has none. */
export async function rerunAnalysis(deps: AppDeps, actor: Actor, call: Call, ip?: string): Promise<void> {
  if (call.recording_status !== 'stored') throw new Conflict('This call has no recording to analyse.', 'no_recording');
  const now = isoNow(deps.clock);
  await inTransaction(deps.db, async (trx) => {
    await requeueCall(trx, call.id, now);
    await recordChange(trx, now, { actorId: actor.id, ip }, 'analysis.rerun', ['call', call.id]);
  });
  deps.analysis.wake();
}

export interface QueueProgress {
  pending: number;
  running: number;
  done: number;
  failed: number;
  no_recording: number;
  /** Calls with a recording that were never queued (stored before analysis existed). */
  unqueued: number;
  /** Share of the calls with a recording whose analysis has ended (done, failed or no recording), 0..1. */
  finished_share: number | null;
}

export async function queueProgress(deps: AppDeps): Promise<QueueProgress> {
  const { byStatus, unqueued } = await queueCounts(deps.db);
  const count = (status: AnalysisStatus) => Number(byStatus.find((r) => r.status === status)?.n ?? 0);
  const progress = {
    pending: count('pending'),
    running: count('running'),
    done: count('done'),
    failed: count('failed'),
    no_recording: count('no_recording'),
    unqueued,
  };
  const ended = progress.done + progress.failed + progress.no_recording;
  const all = ended + progress.pending + progress.running + unqueued;
  return { ...progress, finished_share: all ? ended / all : null };
}

export async function analysisOf(deps: AppDeps, callId: number): Promise<CallAnalysis | undefined> {
  return findAnalysis(deps.db, callId);
}
