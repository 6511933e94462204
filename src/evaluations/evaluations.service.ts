import { recordAudit } from '../audit';
import { syncCoachingTask } from '../coaching';
import type { DB } from '../db/database';
import type { Call, Evaluation } from '../db/schema';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, Forbidden, NotFound, Validation } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { visibleCallOr404, type Actor } from '../policy';
import { loadRubric, type FullRubric } from '../rubrics';
import { computeScore, type ScoreResult } from '../scoring';
import { answerMap, checkAnswers, type CheckedAnswer } from './answers';
import { canSeeEvaluation, visibleEvaluationOr404 } from '../policy';
import { findEvaluation, openDraftOf, replaceAnswers } from './evaluations.queries';
import { rescoreSchema, saveSchema, type CreateEvaluationInput, type SaveInput } from './evaluations.schemas';
import { openOrFindDraft, scoreColumns, staleConflict, writeSave, type SavePlan } from './save';

export interface SaveOutcome {
  evaluation: Evaluation;
  result: ScoreResult;
  coachingTaskId: number | null;
}

/** A call the actor may score: one they can see, with an agent (an abandoned call has nobody to score). */
async function scorableCall(deps: AppDeps, actor: Actor, callId: number): Promise<Call & { agent_id: number }> {
  const call = await visibleCallOr404(deps.db, actor, callId);
  if (call.agent_id === null)
    throw new Validation([{ path: 'call_id', message: 'An abandoned call has no agent to score.' }]);
  return { ...call, agent_id: call.agent_id };
}

function publishedOr422(rubric: FullRubric | undefined): FullRubric {
  if (!rubric || rubric.status !== 'published') {
    throw new Validation([{ path: 'rubric_id', message: 'Choose a published rubric.' }]);
  }
  return rubric;
}

/** Opens the actor's draft for a call and rubric, or the one they already have (one draft per call and rubric). */
export async function startEvaluation(
  deps: AppDeps,
  actor: Actor,
  callId: number,
  rubricId: number,
  ip?: string,
): Promise<Evaluation> {
  const call = await scorableCall(deps, actor, callId);
  publishedOr422(await loadRubric(deps.db, rubricId));
  const existing = await openDraftOf(deps.db, callId, rubricId, actor.id);
  if (existing) return existing;
  const now = isoNow(deps.clock);
  const { draft } = await deps.db.transaction().execute((trx) => openOrFindDraft(trx, actor, call, rubricId, now, ip));
  return draft;
}

/**
 * The API's scoring in one request: opens the actor's draft of a call and rubric (or takes the one they
 * have) and saves or submits it in one transaction, so a submit commits once and a refused request leaves
 * no new draft behind. The answers are checked first, as a separate start and save would have refused them.
 */
export async function startAndSaveEvaluation(
  deps: AppDeps,
  actor: Actor,
  input: CreateEvaluationInput,
  ip?: string,
): Promise<SaveOutcome> {
  const { call_id: callId, rubric_id: rubricId, ...save } = input;
  if (actor.role === 'csr') throw new NotFound('No such call.');
  const rubric = await loadRubric(deps.db, rubricId);
  const answers = rubric?.status === 'published' ? checkAnswers(rubric, save.answers, save.submit) : [];
  const call = await scorableCall(deps, actor, callId);
  const published = publishedOr422(rubric);
  const result = computeScore(published, answerMap(answers, published));
  const plan: SavePlan = { input: save, rubric: published, answers, result, now: isoNow(deps.clock), ip };
  const saved = await deps.db.transaction().execute(async (trx) => {
    const { draft, opened } = await openOrFindDraft(trx, actor, call, rubricId, plan.now, ip);
    if (!opened && !(await canSeeEvaluation(trx, actor, draft))) throw new NotFound('No such scorecard.');
    return writeSave(trx, actor, draft, plan, opened);
  });
  return { ...saved, result };
}

async function rubricOf(deps: AppDeps, evaluation: Evaluation): Promise<FullRubric> {
  const rubric = await loadRubric(deps.db, evaluation.rubric_id);
  if (!rubric) throw new NotFound('The rubric of this scorecard is gone.');
  return rubric;
}

/**
 * Saves a draft (autosave) or submits it. The server checks every answer against the exact rubric version,
 * computes the score itself, and writes answers, score, release state, the call's evaluated count and the
 * coaching task in one transaction. A stale revision is refused with 409.
 */
export async function saveEvaluation(
  deps: AppDeps,
  actor: Actor,
  id: number,
  raw: unknown,
  ip?: string,
): Promise<SaveOutcome> {
  const input: SaveInput = parseInput(saveSchema, raw);
  const evaluation = await visibleEvaluationOr404(deps.db, actor, id);
  if (actor.role === 'csr') throw new NotFound('No such scorecard.');
  // A calibration scorecard is its evaluator's own: nobody else may fill it in.
  if (evaluation.kind === 'calibration' && evaluation.evaluator_id !== actor.id)
    throw new NotFound('No such scorecard.');
  if (evaluation.status !== 'draft')
    throw new Conflict('This scorecard is already submitted; rescore it instead.', 'already_submitted');
  const rubric = await rubricOf(deps, evaluation);
  const answers = checkAnswers(rubric, input.answers, input.submit);
  const result = computeScore(rubric, answerMap(answers, rubric));
  const plan: SavePlan = { input, rubric, answers, result, now: isoNow(deps.clock), ip };
  const saved = await deps.db.transaction().execute((trx) => writeSave(trx, actor, evaluation, plan));
  return { ...saved, result };
}

function snapshotOf(
  evaluation: Evaluation,
  answers: Array<Omit<CheckedAnswer, 'max_points'> & { max_points: number | null }>,
) {
  const { score, raw_score, passed, critical_failed, section_scores, comment, status, updated_by, updated_at } =
    evaluation;
  return JSON.stringify({
    score,
    raw_score,
    passed,
    critical_failed,
    section_scores: JSON.parse(section_scores),
    comment,
    status,
    updated_by,
    updated_at,
    answers,
  });
}

export interface RescoreContext {
  now: string;
  reason: string;
  /** The scorecard as it was before this rescore. */
  before: Evaluation;
  result: ScoreResult;
  answers: CheckedAnswer[];
}

/**
 * Rescoring a submitted scorecard: the earlier revision is kept (who, when, why); only the newest counts.
 * `alsoInTransaction` runs inside the same transaction after the new revision is written (a dispute resolved
 * by this rescore); whatever it throws takes the rescore back.
 */
export async function rescoreEvaluation(
  deps: AppDeps,
  actor: Actor,
  id: number,
  raw: unknown,
  ip?: string,
  alsoInTransaction?: (trx: DB, context: RescoreContext) => Promise<void>,
): Promise<SaveOutcome> {
  const input = parseInput(rescoreSchema, raw);
  const evaluation = await visibleEvaluationOr404(deps.db, actor, id);
  if (actor.role === 'csr') throw new NotFound('No such scorecard.');
  if (evaluation.status === 'draft') throw new Conflict('A draft is edited, not rescored.', 'is_draft');
  if (evaluation.kind === 'calibration')
    throw new Conflict('Calibration scorecards are compared as given; they are not rescored.', 'calibration');
  const rubric = await rubricOf(deps, evaluation);
  const answers = checkAnswers(rubric, input.answers, true);
  const result = computeScore(rubric, answerMap(answers, rubric));
  const now = isoNow(deps.clock);
  const expected = input.revision ?? evaluation.revision;
  const coachingTaskId = await deps.db.transaction().execute(async (trx) => {
    const current = (await findEvaluation(trx, id))!;
    if (current.revision !== expected) throw await staleConflict(trx, id);
    const previous = await trx.selectFrom('evaluation_answers').selectAll().where('evaluation_id', '=', id).execute();
    await trx
      .insertInto('evaluation_revisions')
      .values({
        evaluation_id: id,
        snapshot: snapshotOf(current, previous),
        reason: input.reason,
        replaced_by: actor.id,
        replaced_at: now,
      })
      .execute();
    await trx
      .updateTable('evaluations')
      .set({
        ...scoreColumns(result),
        comment: input.comment ?? current.comment,
        revision: expected + 1,
        rescore_count: current.rescore_count + 1,
        time_spent_s: current.time_spent_s + input.time_spent_s,
        updated_at: now,
        updated_by: actor.id,
        // A changed scorecard needs the CSR's acknowledgement again.
        ...(current.status === 'acknowledged'
          ? { status: 'released' as const, acknowledged_at: null, ack_comment: null }
          : {}),
      })
      .where('id', '=', id)
      .execute();
    await replaceAnswers(trx, id, answers);
    const taskId = await syncCoachingTask(trx, (await findEvaluation(trx, id))!, rubric, result, {
      now,
      actorId: actor.id,
    });
    await recordAudit(trx, now, {
      actorId: actor.id,
      action: 'evaluation.rescored',
      entityType: 'evaluation',
      entityId: id,
      details: { reason: input.reason, from: current.score, to: result.score, passed: result.passed },
      ip,
    });
    if (alsoInTransaction)
      await alsoInTransaction(trx, { now, reason: input.reason, before: current, result, answers });
    return taskId;
  });
  return { evaluation: (await findEvaluation(deps.db, id))!, result, coachingTaskId };
}

/** Manual release (or early release of a delayed one). Never-released rubrics stay internal. */
export async function releaseEvaluation(deps: AppDeps, actor: Actor, id: number, ip?: string): Promise<Evaluation> {
  const evaluation = await visibleEvaluationOr404(deps.db, actor, id);
  if (actor.role === 'csr') throw new NotFound('No such scorecard.');
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
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('evaluations')
      .set({
        status: 'released',
        released_at: now,
        updated_at: now,
        updated_by: actor.id,
        revision: evaluation.revision + 1,
      })
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, now, {
      actorId: actor.id,
      action: 'evaluation.released',
      entityType: 'evaluation',
      entityId: id,
      ip,
    });
  });
  return (await findEvaluation(deps.db, id))!;
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
  if (actor.role !== 'csr' || evaluation.agent_id !== actor.id) {
    throw new Forbidden('Only the CSR this scorecard is about can acknowledge it.');
  }
  if (evaluation.status === 'acknowledged')
    throw new Conflict('You already acknowledged this scorecard.', 'already_acknowledged');
  const now = isoNow(deps.clock);
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('evaluations')
      .set({
        status: 'acknowledged',
        acknowledged_at: now,
        ack_comment: comment,
        updated_at: now,
        revision: evaluation.revision + 1,
      })
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, now, {
      actorId: actor.id,
      action: 'evaluation.acknowledged',
      entityType: 'evaluation',
      entityId: id,
      ip,
    });
  });
  return (await findEvaluation(deps.db, id))!;
}

/** The daily job: releases scorecards whose "after N days" delay has passed. */
export async function releaseDueEvaluations(deps: AppDeps): Promise<number> {
  const now = isoNow(deps.clock);
  return deps.db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('evaluations')
      .select('id')
      .where('status', '=', 'submitted')
      .where('release_due_at', '<=', now)
      .execute();
    for (const { id } of due) {
      await trx
        .updateTable('evaluations')
        .set((eb) => ({ status: 'released', released_at: now, updated_at: now, revision: eb('revision', '+', 1) }))
        .where('id', '=', id)
        .execute();
      await recordAudit(trx, now, {
        actorId: null,
        action: 'evaluation.released',
        entityType: 'evaluation',
        entityId: id,
        details: { by: 'schedule' },
      });
    }
    return due.length;
  });
}
