import { recordChange } from '../audit';
import type { Dispute, Evaluation, Rubric } from '../db/schema';
import { inTransaction, type Executor, type Tx } from '../db/transaction';
import type { AppDeps } from '../deps';
import { answersOf, rescoreEvaluation, rubricOf, type SaveOutcome } from '../evaluations';
import { isoNow } from '../lib/clock';
import { Conflict, Forbidden, NotFound, Validation } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { plusLocalDays } from '../lib/zones';
import {
  canResolveDispute,
  disputeReviewer,
  isEvaluatedCsr,
  visibleDisputeOr404,
  visibleEvaluationOr404,
  type Actor,
} from '../policy';
import type { FullItem } from '../rubrics';
import { getSettings } from '../settings';
import { queueWebhookEvent } from '../webhooks';
import {
  countDisputes,
  currentScoreOf,
  decideOpenDispute,
  disputedItemIds,
  findDispute,
  insertDispute,
  insertDisputeItems,
  keepItemAnswers,
  openDisputeOf,
  reviewerCandidates,
  setItemAnswerAfter,
} from './disputes.queries';
import { openDisputeSchema, upholdSchema } from './disputes.schemas';

export interface DisputeRules {
  enabled: boolean;
  limit: number;
  used: number;
  windowEndsAt: string | null;
  windowOpen: boolean;
}

/**
 * The rubric's dispute rules as they stand for this scorecard now. The window is counted in the center's local days
 * (DOMAIN.md, Time): released at 18:00 on the day before clocks change, a 1-day window ends at 18:00 local the next
 * day, 23 or 25 hours later.
 */
export async function disputeRules(
  db: Executor,
  evaluation: Evaluation,
  rubric: Rubric,
  now: Date,
): Promise<DisputeRules> {
  const timeZone = (await getSettings(db)).time_zone;
  const windowEnds = evaluation.released_at
    ? new Date(plusLocalDays(Date.parse(evaluation.released_at), rubric.dispute_window_days, timeZone))
    : null;
  return {
    enabled: rubric.disputes_enabled === 1,
    limit: rubric.dispute_limit,
    used: await countDisputes(db, evaluation.id),
    windowEndsAt: windowEnds?.toISOString() ?? null,
    windowOpen: windowEnds !== null && now.getTime() <= windowEnds.getTime(),
  };
}

/** Why a new dispute is refused right now (409), or null when one may be opened. */
export function refusal(rules: DisputeRules, open: boolean): Conflict | null {
  if (!rules.enabled) return new Conflict('Scorecards of this rubric cannot be disputed.', 'disputes_disabled');
  if (open) return new Conflict('A dispute of this scorecard is already in review.', 'dispute_open');
  if (rules.used >= rules.limit) {
    return new Conflict(
      `This scorecard was already disputed ${rules.used} time${rules.used === 1 ? '' : 's'}, the most allowed.`,
      'dispute_limit',
    );
  }
  if (!rules.windowOpen) return new Conflict('The time to dispute this scorecard is over.', 'dispute_window_closed');
  return null;
}

type Answer = Awaited<ReturnType<typeof answersOf>>[number];

/** The disputed items as they were scored: each must have lost points (N/A and full marks are refused, 409). */
function disputedAnswers(itemIds: number[], items: Map<number, FullItem>, answers: Map<number, Answer>) {
  return itemIds.map((itemId) => {
    const answer = answers.get(itemId);
    const prompt = items.get(itemId)?.prompt ?? `Item ${itemId}`;
    if (!answer || answer.points === null || answer.max_points === null) {
      throw new Conflict(`"${prompt}" was N/A: it counts neither way.`, 'not_scored');
    }
    if (answer.points >= answer.max_points) {
      throw new Conflict(`"${prompt}" got full marks: there is nothing to dispute.`, 'full_marks');
    }
    return { item_id: itemId, value_before: answer.value, points_before: answer.points, max_points: answer.max_points };
  });
}

/** Items named in a dispute must belong to the scorecard's rubric version (else 422). */
function knownItemsOr422(itemIds: number[], items: Map<number, FullItem>): void {
  const unknown = itemIds
    .map((id, index) => ({ id, index }))
    .filter(({ id }) => !items.has(id))
    .map(({ id, index }) => ({ path: `item_ids.${index}`, message: `Item ${id} is not part of this scorecard.` }));
  if (unknown.length) throw new Validation(unknown, 'Dispute items of this scorecard only.');
}

async function reloaded(deps: AppDeps, id: number): Promise<Dispute> {
  const dispute = await findDispute(deps.db, id);
  if (!dispute) throw new NotFound('No such dispute.');
  return dispute;
}

/**
 * The evaluated CSR disputes items of a released scorecard with a reason. Items must belong to the
 * scorecard's rubric version (else 422) and have lost points (full marks and N/A are refused with 409).
 */
export async function openDispute(
  deps: AppDeps,
  actor: Actor,
  evaluationId: number,
  raw: unknown,
  ip?: string,
): Promise<Dispute> {
  const input = parseInput(openDisputeSchema, raw);
  const evaluation = await visibleEvaluationOr404(deps.db, actor, evaluationId);
  if (!isEvaluatedCsr(actor, evaluation)) throw new Forbidden('Only the CSR this scorecard is about can dispute it.');
  const rubric = await rubricOf(deps, evaluation);
  const items = new Map(rubric.sections.flatMap((s) => s.items).map((i) => [i.id, i]));
  knownItemsOr422(input.item_ids, items);
  const answers = new Map((await answersOf(deps.db, evaluation.id)).map((a) => [a.item_id, a]));
  const now = isoNow(deps.clock);
  const id = await inTransaction(deps.db, async (trx) => {
    const rules = await disputeRules(trx, evaluation, rubric, deps.clock.now());
    const refused = refusal(rules, Boolean(await openDisputeOf(trx, evaluation.id)));
    if (refused) throw refused;
    const disputed = disputedAnswers(input.item_ids, items, answers);
    const candidates = await reviewerCandidates(trx, evaluation.team_id);
    const assigneeId = disputeReviewer(candidates, evaluation.evaluator_id, rubric.dispute_reviewer);
    const disputeId = await insertDispute(trx, {
      evaluation_id: evaluation.id,
      csr_id: evaluation.agent_id,
      team_id: evaluation.team_id,
      evaluator_id: evaluation.evaluator_id,
      assignee_id: assigneeId,
      reason: input.reason,
      score_before: evaluation.score,
      opened_at: now,
    });
    await insertDisputeItems(
      trx,
      disputed.map((item) => ({ dispute_id: disputeId, ...item })),
    );
    // Queued in this transaction: a dispute that rolls back tells nobody. Ids and figures, never the reason.
    await queueWebhookEvent(trx, now, 'dispute.opened', {
      dispute_id: disputeId,
      evaluation_id: evaluation.id,
      agent_id: evaluation.agent_id,
      assignee_id: assigneeId,
      item_count: disputed.length,
      score_before: evaluation.score,
    });
    await recordChange(trx, now, { actorId: actor.id, ip }, 'dispute.opened', ['dispute', disputeId], {
      evaluation_id: evaluation.id,
      item_ids: input.item_ids,
      assignee_id: assigneeId,
    });
    return disputeId;
  });
  return reloaded(deps, id);
}

async function resolvableOr403(deps: AppDeps, actor: Actor, id: number): Promise<Dispute> {
  const dispute = await visibleDisputeOr404(deps.db, actor, id);
  if (!(await canResolveDispute(deps.db, actor, dispute))) {
    throw new Forbidden('The assigned reviewer decides this dispute.');
  }
  if (dispute.status !== 'open') throw new Conflict('This dispute was already decided.', 'dispute_resolved');
  return dispute;
}

/** Marks the dispute decided, inside the caller's transaction; refuses if someone decided it meanwhile. */
async function markResolved(
  trx: Tx,
  dispute: Dispute,
  fields: { status: 'upheld' | 'rescored'; actorId: number; now: string; reason: string; scoreAfter: number | null },
) {
  const decided = await decideOpenDispute(trx, dispute.id, {
    status: fields.status,
    resolved_at: fields.now,
    resolved_by: fields.actorId,
    resolution_reason: fields.reason,
    score_after: fields.scoreAfter,
  });
  if (!decided) throw new Conflict('This dispute was already decided.', 'dispute_resolved');
  await queueWebhookEvent(trx, fields.now, 'dispute.resolved', {
    dispute_id: dispute.id,
    evaluation_id: dispute.evaluation_id,
    agent_id: dispute.csr_id,
    outcome: fields.status,
    score_before: dispute.score_before,
    score_after: fields.scoreAfter,
  });
}

/** The reviewer keeps the scores as they are, saying why. */
export async function upholdDispute(deps: AppDeps, actor: Actor, id: number, raw: unknown, ip?: string) {
  const input = parseInput(upholdSchema, raw);
  const dispute = await resolvableOr403(deps, actor, id);
  const now = isoNow(deps.clock);
  await inTransaction(deps.db, async (trx) => {
    const scoreAfter = await currentScoreOf(trx, dispute.evaluation_id);
    await markResolved(trx, dispute, { status: 'upheld', actorId: actor.id, now, reason: input.reason, scoreAfter });
    await keepItemAnswers(trx, dispute.id);
    await recordChange(trx, now, { actorId: actor.id, ip }, 'dispute.upheld', ['dispute', dispute.id], {
      evaluation_id: dispute.evaluation_id,
      reason: input.reason,
    });
  });
  return reloaded(deps, id);
}

/**
 * The reviewer rescores the scorecard through the ordinary rescore (a new revision, the score worked out
 * again, coaching kept in step); the dispute is decided in the same transaction, with the rescore's reason.
 */
export async function rescoreDispute(
  deps: AppDeps,
  actor: Actor,
  id: number,
  raw: unknown,
  ip?: string,
): Promise<{ dispute: Dispute; outcome: SaveOutcome }> {
  const dispute = await resolvableOr403(deps, actor, id);
  const outcome = await rescoreEvaluation(deps, actor, dispute.evaluation_id, raw, ip, async (trx, context) => {
    const reason = context.reason;
    await markResolved(trx, dispute, {
      status: 'rescored',
      actorId: actor.id,
      now: context.now,
      reason,
      scoreAfter: context.result.score,
    });
    const after = new Map(context.answers.map((a) => [a.item_id, a]));
    for (const itemId of await disputedItemIds(trx, dispute.id)) {
      const answer = after.get(itemId);
      await setItemAnswerAfter(trx, dispute.id, itemId, {
        value_after: answer?.value ?? null,
        points_after: answer?.points ?? null,
      });
    }
    await recordChange(trx, context.now, { actorId: actor.id, ip }, 'dispute.rescored', ['dispute', dispute.id], {
      evaluation_id: dispute.evaluation_id,
      reason,
      from: context.before.score,
      to: context.result.score,
    });
  });
  return { dispute: await reloaded(deps, id), outcome };
}
