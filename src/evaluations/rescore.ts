import type { z } from 'zod';
import { recordChange } from '../audit';
import { syncCoachingTask } from '../coaching';
import type { Evaluation } from '../db/schema';
import { inTransaction, type Tx } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { refuseRescoreInDispute, visibleEvaluationOr404, type Actor } from '../policy';
import type { FullRubric } from '../rubrics';
import { computeScore, type ScoreResult } from '../scoring';
import { answerMap, checkAnswers, type CheckedAnswer } from './answers';
import { followRescore } from './auto-answers';
import { rubricOf, scorerOr404 } from './checks';
import { answersOf, findEvaluation, replaceAnswers } from './evaluations.queries';
import { rescoreSchema } from './evaluations.schemas';
import { scoreColumns, staleConflict, type SaveOutcome } from './save';
import { insertRevision, updateEvaluation } from './scorecard.queries';

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

/** A rescore worked out before its transaction. */
interface RescorePlan {
  input: z.output<typeof rescoreSchema>;
  rubric: FullRubric;
  answers: CheckedAnswer[];
  result: ScoreResult;
  now: string;
  expected: number;
  ip?: string;
}

/** The scorecard as it stands in this transaction; a rescore on a revision that moved on is a 409. */
async function currentAt(trx: Tx, id: number, expected: number): Promise<Evaluation> {
  const current = await findEvaluation(trx, id);
  if (!current) throw new Error(`evaluation ${id} vanished while being rescored`);
  if (current.revision !== expected) throw await staleConflict(trx, id);
  return current;
}

/** Writes the new revision inside the caller's transaction, keeping the earlier one; returns the coaching task. */
async function writeRescore(trx: Tx, actor: Actor, id: number, plan: RescorePlan) {
  const { input, rubric, answers, result, now, expected } = plan;
  const current = await currentAt(trx, id, expected);
  const previous = await answersOf(trx, id);
  await insertRevision(trx, {
    evaluation_id: id,
    snapshot: snapshotOf(current, previous),
    reason: input.reason,
    replaced_by: actor.id,
    replaced_at: now,
  });
  await updateEvaluation(trx, id, {
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
  });
  await replaceAnswers(trx, id, answers);
  await followRescore(trx, id, answers);
  const rescored = await findEvaluation(trx, id);
  if (!rescored) throw new Error(`evaluation ${id} vanished while being rescored`);
  const taskId = await syncCoachingTask(trx, rescored, rubric, result, { now, actorId: actor.id });
  await recordChange(trx, now, { actorId: actor.id, ip: plan.ip }, 'evaluation.rescored', ['evaluation', id], {
    reason: input.reason,
    from: current.score,
    to: result.score,
    passed: result.passed,
  });
  return { taskId, before: current };
}

/**
 * Rescoring a submitted scorecard: the earlier revision is kept (who, when, why); only the newest counts.
 * `alsoInTransaction` runs inside the same transaction after the new revision is written (a dispute resolved
 * by this rescore); whatever it throws takes the rescore back. Without it (a plain rescore), a scorecard with a
 * dispute open is refused: only the dispute's decision changes it then.
 */
export async function rescoreEvaluation(
  deps: AppDeps,
  actor: Actor,
  id: number,
  raw: unknown,
  ip?: string,
  alsoInTransaction?: (trx: Tx, context: RescoreContext) => Promise<void>,
): Promise<SaveOutcome> {
  const input = parseInput(rescoreSchema, raw);
  const evaluation = await visibleEvaluationOr404(deps.db, actor, id);
  scorerOr404(actor);
  if (evaluation.status === 'draft') throw new Conflict('A draft is edited, not rescored.', 'is_draft');
  if (evaluation.kind === 'calibration')
    throw new Conflict('Calibration scorecards are compared as given; they are not rescored.', 'calibration');
  const rubric = await rubricOf(deps, evaluation);
  const answers = checkAnswers(rubric, input.answers, true);
  const result = computeScore(rubric, answerMap(answers, rubric));
  const now = isoNow(deps.clock);
  const plan = { input, rubric, answers, result, now, expected: input.revision ?? evaluation.revision, ip };
  const coachingTaskId = await inTransaction(deps.db, async (trx) => {
    if (!alsoInTransaction) await refuseRescoreInDispute(trx, id);
    const { taskId, before } = await writeRescore(trx, actor, id, plan);
    if (alsoInTransaction) await alsoInTransaction(trx, { now, reason: input.reason, before, result, answers });
    return taskId;
  });
  const rescored = await findEvaluation(deps.db, id);
  if (!rescored) throw new Error(`evaluation ${id} vanished after its rescore`);
  return { evaluation: rescored, result, coachingTaskId };
}
