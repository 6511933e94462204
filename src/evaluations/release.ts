import { recordChange } from '../audit';
import type { Evaluation } from '../db/schema';
import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, Forbidden } from '../lib/errors';
import { isEvaluatedCsr, visibleEvaluationOr404, type Actor } from '../policy';
import { rubricOf, scorerOr404 } from './checks';
import { findEvaluation } from './evaluations.queries';
import { dueForRelease, releaseOnSchedule, updateEvaluation } from './scorecard.queries';
import { evaluationEventData } from './webhook-events';
import { queueWebhookEvent } from '../webhooks';

// After submit: releasing a scorecard to the CSR (by hand or on schedule) and the CSR acknowledging it.

/** Moves a scorecard on (released, acknowledged) with its audit entry, and returns it as it now stands. */
async function moveOn(
  deps: AppDeps,
  evaluation: Evaluation,
  changes: Partial<Pick<Evaluation, 'status' | 'released_at' | 'acknowledged_at' | 'ack_comment' | 'updated_by'>>,
  audit: { actorId: number; action: string; now: string; ip?: string },
): Promise<Evaluation> {
  await inTransaction(deps.db, async (trx) => {
    await updateEvaluation(trx, evaluation.id, {
      ...changes,
      updated_at: audit.now,
      revision: evaluation.revision + 1,
    });
    await recordChange(trx, audit.now, { actorId: audit.actorId, ip: audit.ip }, audit.action, [
      'evaluation',
      evaluation.id,
    ]);
    if (audit.action === 'evaluation.released' || audit.action === 'evaluation.acknowledged') {
      await queueWebhookEvent(trx, audit.now, audit.action, evaluationEventData(evaluation));
    }
  });
  const moved = await findEvaluation(deps.db, evaluation.id);
  if (!moved) throw new Error(`evaluation ${evaluation.id} vanished after ${audit.action}`);
  return moved;
}

/** Manual release (or early release of a delayed one). Never-released rubrics stay internal. */
export async function releaseEvaluation(deps: AppDeps, actor: Actor, id: number, ip?: string): Promise<Evaluation> {
  const evaluation = await visibleEvaluationOr404(deps.db, actor, id);
  scorerOr404(actor);
  if (evaluation.status !== 'submitted') {
    throw new Conflict(
      evaluation.status === 'draft'
        ? 'Submit the scorecard before releasing it.'
        : 'This scorecard is already released.',
      'wrong_state',
    );
  }
  if (evaluation.kind === 'calibration')
    throw new Conflict('Calibration scorecards are never released.', 'never_released');
  const rubric = await rubricOf(deps, evaluation);
  if (rubric.release_mode === 'never')
    throw new Conflict('Scorecards of this rubric are internal and never released.', 'never_released');
  const now = isoNow(deps.clock);
  return moveOn(
    deps,
    evaluation,
    { status: 'released', released_at: now, updated_by: actor.id },
    { actorId: actor.id, action: 'evaluation.released', now, ip },
  );
}

/** The evaluated CSR acknowledges a released scorecard, optionally with a comment. */
export async function acknowledgeEvaluation(
  deps: AppDeps,
  actor: Actor,
  id: number,
  comment: string | null,
  ip?: string,
): Promise<Evaluation> {
  const evaluation = await visibleEvaluationOr404(deps.db, actor, id);
  if (!isEvaluatedCsr(actor, evaluation)) {
    throw new Forbidden('Only the CSR this scorecard is about can acknowledge it.');
  }
  if (evaluation.status === 'acknowledged')
    throw new Conflict('You already acknowledged this scorecard.', 'already_acknowledged');
  const now = isoNow(deps.clock);
  return moveOn(
    deps,
    evaluation,
    { status: 'acknowledged', acknowledged_at: now, ack_comment: comment },
    { actorId: actor.id, action: 'evaluation.acknowledged', now, ip },
  );
}

/** The daily job: releases scorecards whose "after N days" delay has passed. */
export async function releaseDueEvaluations(deps: AppDeps): Promise<number> {
  const now = isoNow(deps.clock);
  return inTransaction(deps.db, async (trx) => {
    const due = await dueForRelease(trx, now);
    for (const { id } of due) {
      await releaseOnSchedule(trx, id, now);
      const released = await findEvaluation(trx, id);
      if (released) await queueWebhookEvent(trx, now, 'evaluation.released', evaluationEventData(released));
      await recordChange(trx, now, { actorId: null }, 'evaluation.released', ['evaluation', id], { by: 'schedule' });
    }
    return due.length;
  });
}
