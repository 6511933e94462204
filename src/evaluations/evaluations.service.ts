import type { Evaluation } from '../db/schema';
import { ROW_GUARDED, inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, NotFound } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { canSeeEvaluation, visibleEvaluationOr404, type Actor } from '../policy';
import { loadRubric } from '../rubrics';
import { computeScore } from '../scoring';
import { answerMap, checkAnswers } from './answers';
import { showsSuggestions } from './auto-answers';
import { publishedOr422, rubricOf, scorableCall, scorerOr404 } from './checks';
import { openDraftOf } from './evaluations.queries';
import { saveSchema, type CreateEvaluationInput, type SaveInput } from './evaluations.schemas';
import { openOrFindDraft, writeSave, type SaveOutcome, type SavePlan } from './save';

// Scoring a call: opening a draft, saving it and submitting it. Rescoring and release live beside this file
// and are exported from here too, so the scoring services have one address.
export { acknowledgeEvaluation, releaseDueEvaluations, releaseEvaluation } from './release';
export { rescoreEvaluation, type RescoreContext } from './rescore';
export type { SaveOutcome } from './save';

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
  const { draft } = await inTransaction(
    deps.db,
    (trx) => openOrFindDraft(trx, actor, call, rubricId, now, ip),
    ROW_GUARDED,
  );
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
  scorerOr404(actor, 'No such call.');
  const rubric = await loadRubric(deps.db, rubricId);
  const answers = rubric?.status === 'published' ? checkAnswers(rubric, save.answers, save.submit) : [];
  const call = await scorableCall(deps, actor, callId);
  const published = publishedOr422(rubric);
  const result = computeScore(published, answerMap(answers, published));
  const plan: SavePlan = { input: save, rubric: published, answers, result, now: isoNow(deps.clock), ip };
  const saved = await inTransaction(
    deps.db,
    async (trx) => {
      const { draft, opened } = await openOrFindDraft(trx, actor, call, rubricId, plan.now, ip);
      if (!opened && !(await canSeeEvaluation(trx, actor, draft))) throw new NotFound('No such scorecard.');
      return writeSave(trx, actor, draft, plan, opened);
    },
    ROW_GUARDED,
  );
  return { ...saved, result };
}

/**
 * Saves a draft (autosave) or submits it. The server checks every answer against the exact rubric version,
 * computes the score itself, and writes answers, score, release state, the call's evaluated count and the
 * coaching task in one transaction. A stale revision is refused with 409. `via` says where it came from: a
 * submit on the scoring form is recorded as made with the rules' suggestions shown (suggest mode).
 */
export async function saveEvaluation(
  deps: AppDeps,
  actor: Actor,
  id: number,
  raw: unknown,
  ip?: string,
  via: 'form' | 'api' = 'api',
): Promise<SaveOutcome> {
  const input: SaveInput = parseInput(saveSchema, raw);
  const evaluation = await visibleEvaluationOr404(deps.db, actor, id);
  scorerOr404(actor);
  // A calibration scorecard is its evaluator's own: nobody else may fill it in.
  if (evaluation.kind === 'calibration' && evaluation.evaluator_id !== actor.id)
    throw new NotFound('No such scorecard.');
  if (evaluation.status !== 'draft')
    throw new Conflict('This scorecard is already submitted; rescore it instead.', 'already_submitted');
  const rubric = await rubricOf(deps, evaluation);
  const answers = checkAnswers(rubric, input.answers, input.submit);
  const result = computeScore(rubric, answerMap(answers, rubric));
  const suggested = via === 'form' && showsSuggestions(rubric, evaluation);
  const plan: SavePlan = { input, rubric, answers, result, now: isoNow(deps.clock), ip, suggested };
  const saved = await inTransaction(deps.db, (trx) => writeSave(trx, actor, evaluation, plan), ROW_GUARDED);
  return { ...saved, result };
}
