import { recordAudit } from '../audit';
import type { DB } from '../db/database';
import type { Dispute, Evaluation, Rubric } from '../db/schema';
import type { AppDeps } from '../deps';
import { visibleEvaluationOr404 } from '../policy';
import { answersOf } from '../evaluations';
import { rescoreEvaluation, type SaveOutcome } from '../evaluations';
import { isoNow } from '../lib/clock';
import { Conflict, Forbidden, NotFound, Validation } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { inTeamScope, teamScope, type Actor } from '../policy';
import { loadRubric } from '../rubrics';
import { countDisputes, findDispute, openDisputeOf, reviewerFor } from './disputes.queries';
import { openDisputeSchema, upholdSchema } from './disputes.schemas';

const DAY_MS = 86_400_000;

/** A dispute the actor may see: the CSR their own; staff their teams' or one assigned to them. Else 404. */
export async function visibleDisputeOr404(db: DB, actor: Actor, id: number): Promise<Dispute> {
  const dispute = await findDispute(db, id);
  const visible =
    dispute &&
    (actor.role === 'csr'
      ? dispute.csr_id === actor.id
      : dispute.assignee_id === actor.id || inTeamScope(await teamScope(db, actor), dispute.team_id));
  if (!visible) throw new NotFound('No such dispute.');
  return dispute;
}

/** The assignee decides; an admin, or the manager over the team, may step in. */
export async function canResolve(db: DB, actor: Actor, dispute: Dispute): Promise<boolean> {
  if (actor.role === 'csr') return false;
  if (actor.id === dispute.assignee_id || actor.role === 'admin') return true;
  return actor.role === 'manager' && inTeamScope(await teamScope(db, actor), dispute.team_id);
}

export interface DisputeRules {
  enabled: boolean;
  limit: number;
  used: number;
  windowEndsAt: string | null;
  windowOpen: boolean;
}

/** The rubric's dispute rules as they stand for this scorecard now. */
export async function disputeRules(db: DB, evaluation: Evaluation, rubric: Rubric, now: Date): Promise<DisputeRules> {
  const windowEnds = evaluation.released_at
    ? new Date(Date.parse(evaluation.released_at) + rubric.dispute_window_days * DAY_MS)
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
  if (actor.role !== 'csr' || evaluation.agent_id !== actor.id) {
    throw new Forbidden('Only the CSR this scorecard is about can dispute it.');
  }
  const rubric = (await loadRubric(deps.db, evaluation.rubric_id))!;
  const items = new Map(rubric.sections.flatMap((s) => s.items).map((i) => [i.id, i]));
  const unknown = input.item_ids
    .map((id, index) => ({ id, index }))
    .filter(({ id }) => !items.has(id))
    .map(({ id, index }) => ({ path: `item_ids.${index}`, message: `Item ${id} is not part of this scorecard.` }));
  if (unknown.length) throw new Validation(unknown, 'Dispute items of this scorecard only.');
  const answers = new Map((await answersOf(deps.db, evaluation.id)).map((a) => [a.item_id, a]));
  const now = isoNow(deps.clock);
  const id = await deps.db.transaction().execute(async (trx) => {
    const rules = await disputeRules(trx, evaluation, rubric, deps.clock.now());
    const refused = refusal(rules, Boolean(await openDisputeOf(trx, evaluation.id)));
    if (refused) throw refused;
    for (const itemId of input.item_ids) {
      const answer = answers.get(itemId);
      if (!answer || answer.points === null || answer.max_points === null) {
        throw new Conflict(`"${items.get(itemId)!.prompt}" was N/A: it counts neither way.`, 'not_scored');
      }
      if (answer.points >= answer.max_points) {
        throw new Conflict(`"${items.get(itemId)!.prompt}" got full marks: there is nothing to dispute.`, 'full_marks');
      }
    }
    const assigneeId = await reviewerFor(trx, evaluation, rubric.dispute_reviewer);
    const row = await trx
      .insertInto('disputes')
      .values({
        evaluation_id: evaluation.id,
        csr_id: evaluation.agent_id,
        team_id: evaluation.team_id,
        evaluator_id: evaluation.evaluator_id,
        assignee_id: assigneeId,
        reason: input.reason,
        score_before: evaluation.score,
        opened_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('dispute_items')
      .values(
        input.item_ids.map((itemId) => {
          const answer = answers.get(itemId)!;
          return {
            dispute_id: row.id,
            item_id: itemId,
            value_before: answer.value,
            points_before: answer.points!,
            max_points: answer.max_points!,
          };
        }),
      )
      .execute();
    await recordAudit(trx, now, {
      actorId: actor.id,
      action: 'dispute.opened',
      entityType: 'dispute',
      entityId: row.id,
      details: { evaluation_id: evaluation.id, item_ids: input.item_ids, assignee_id: assigneeId },
      ip,
    });
    return row.id;
  });
  return (await findDispute(deps.db, id))!;
}

async function resolvableOr403(deps: AppDeps, actor: Actor, id: number): Promise<Dispute> {
  const dispute = await visibleDisputeOr404(deps.db, actor, id);
  if (!(await canResolve(deps.db, actor, dispute))) {
    throw new Forbidden('The assigned reviewer decides this dispute.');
  }
  if (dispute.status !== 'open') throw new Conflict('This dispute was already decided.', 'dispute_resolved');
  return dispute;
}

/** Marks the dispute decided, inside the caller's transaction; refuses if someone decided it meanwhile. */
async function markResolved(
  trx: DB,
  dispute: Dispute,
  fields: { status: 'upheld' | 'rescored'; actorId: number; now: string; reason: string; scoreAfter: number | null },
) {
  const updated = await trx
    .updateTable('disputes')
    .set({
      status: fields.status,
      resolved_at: fields.now,
      resolved_by: fields.actorId,
      resolution_reason: fields.reason,
      score_after: fields.scoreAfter,
    })
    .where('id', '=', dispute.id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) throw new Conflict('This dispute was already decided.', 'dispute_resolved');
}

/** The reviewer keeps the scores as they are, saying why. */
export async function upholdDispute(deps: AppDeps, actor: Actor, id: number, raw: unknown, ip?: string) {
  const input = parseInput(upholdSchema, raw);
  const dispute = await resolvableOr403(deps, actor, id);
  const now = isoNow(deps.clock);
  await deps.db.transaction().execute(async (trx) => {
    const evaluation = await trx
      .selectFrom('evaluations')
      .select('score')
      .where('id', '=', dispute.evaluation_id)
      .executeTakeFirstOrThrow();
    await markResolved(trx, dispute, {
      status: 'upheld',
      actorId: actor.id,
      now,
      reason: input.reason,
      scoreAfter: evaluation.score,
    });
    await trx
      .updateTable('dispute_items')
      .set((eb) => ({ value_after: eb.ref('value_before'), points_after: eb.ref('points_before') }))
      .where('dispute_id', '=', dispute.id)
      .execute();
    await recordAudit(trx, now, {
      actorId: actor.id,
      action: 'dispute.upheld',
      entityType: 'dispute',
      entityId: dispute.id,
      details: { evaluation_id: dispute.evaluation_id, reason: input.reason },
      ip,
    });
  });
  return (await findDispute(deps.db, id))!;
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
    const items = await trx
      .selectFrom('dispute_items')
      .select('item_id')
      .where('dispute_id', '=', dispute.id)
      .execute();
    for (const { item_id: itemId } of items) {
      await trx
        .updateTable('dispute_items')
        .set({ value_after: after.get(itemId)?.value ?? null, points_after: after.get(itemId)?.points ?? null })
        .where('dispute_id', '=', dispute.id)
        .where('item_id', '=', itemId)
        .execute();
    }
    await recordAudit(trx, context.now, {
      actorId: actor.id,
      action: 'dispute.rescored',
      entityType: 'dispute',
      entityId: dispute.id,
      details: { evaluation_id: dispute.evaluation_id, reason, from: context.before.score, to: context.result.score },
      ip,
    });
  });
  return { dispute: (await findDispute(deps.db, id))!, outcome };
}
