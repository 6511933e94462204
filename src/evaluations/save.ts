import { recordChange } from '../audit';
import { queueWebhookEvents } from '../webhooks';
import { evaluationEventData } from './webhook-events';
import { syncCoachingTask } from '../coaching';
import type { Call, Evaluation } from '../db/schema';
import type { Executor } from '../db/transaction';
import { Conflict } from '../lib/errors';
import type { Actor } from '../policy';
import { plusLocalDays } from '../lib/zones';
import { getSettings } from '../settings';
import type { FullRubric } from '../rubrics';
import type { ScoreResult } from '../scoring';
import type { CheckedAnswer } from './answers';
import { recordRuleAnswers } from './auto-answers';
import { insertAnswers, openDraftOf, replaceAnswers } from './evaluations.queries';
import type { SaveInput } from './evaluations.schemas';
import { countEvaluated, insertDraftUnlessOpen, lastChangeOf, saveDraftAt } from './scorecard.queries';

// Writing a scorecard inside the caller's transaction: opening a draft, and saving or submitting it.

/** A save worked out before its transaction: the answers checked and the score computed. */
export interface SavePlan {
  input: SaveInput;
  rubric: FullRubric;
  answers: CheckedAnswer[];
  result: ScoreResult;
  now: string;
  ip?: string;
  /** The person submitted on the scoring form with the rules' answers shown as suggestions. */
  suggested?: boolean;
}

export interface SaveOutcome {
  evaluation: Evaluation;
  result: ScoreResult;
  coachingTaskId: number | null;
}

export interface SavedEvaluation {
  evaluation: Evaluation;
  coachingTaskId: number | null;
}

/**
 * The actor's open draft of a call and rubric: a new one (with its audit entry), or the one they already
 * have. One open draft per evaluator, call and rubric is a unique index, so the insert does nothing when
 * there is one, and only then is it read.
 */
export async function openOrFindDraft(
  trx: Executor,
  actor: Actor,
  call: Call & { agent_id: number },
  rubricId: number,
  now: string,
  ip?: string,
): Promise<{ draft: Evaluation; opened: boolean }> {
  const opened = await insertDraftUnlessOpen(trx, {
    call_id: call.id,
    rubric_id: rubricId,
    agent_id: call.agent_id,
    team_id: call.team_id,
    evaluator_id: actor.id,
    created_at: now,
    updated_at: now,
    updated_by: actor.id,
  });
  if (!opened) {
    const existing = await openDraftOf(trx, call.id, rubricId, actor.id);
    if (!existing) throw new Error(`no draft of call ${call.id} and rubric ${rubricId}, nor could one be opened`);
    return { draft: existing, opened: false };
  }
  await recordChange(trx, now, { actorId: actor.id, ip }, 'evaluation.created', ['evaluation', opened.id], {
    call_id: call.id,
    rubric_id: rubricId,
  });
  return { draft: opened, opened: true };
}

/** A submitted calibration scorecard waits in 'submitted' for good: it is never released to the CSR. */
const CALIBRATION_SUBMIT = { status: 'submitted' as const, released_at: null, release_due_at: null };

/**
 * Release after N days: N local days later at the same wall-clock time in the center's zone (DST-aware). The
 * zone is asked for only then (one statement fewer for every other submit).
 */
async function releaseFields(rubric: FullRubric, now: string, zone: () => Promise<string>) {
  if (rubric.release_mode === 'on_submit')
    return { status: 'released' as const, released_at: now, release_due_at: null };
  if (rubric.release_mode === 'after_days') {
    const days = rubric.release_after_days ?? 1;
    const due = new Date(plusLocalDays(Date.parse(now), days, await zone())).toISOString();
    return { status: 'submitted' as const, released_at: null, release_due_at: due };
  }
  return { status: 'submitted' as const, released_at: null, release_due_at: null };
}

export async function staleConflict(db: Executor, evaluationId: number): Promise<Conflict> {
  const current = await lastChangeOf(db, evaluationId);
  const who = current?.display_name ?? 'someone else';
  if (current && current.status !== 'draft')
    return new Conflict(`This scorecard was already submitted by ${who}; reload to see it.`, 'already_submitted');
  return new Conflict(
    `Changed by ${who} at ${current?.updated_at ?? 'just now'}; reload to see their changes.`,
    'stale_revision',
  );
}

export function scoreColumns(result: ScoreResult) {
  return {
    score: result.score,
    raw_score: result.raw_score,
    passed: result.passed === null ? null : result.passed ? 1 : 0,
    critical_failed: result.critical_failed ? 1 : 0,
    section_scores: JSON.stringify(result.sections),
  };
}

/**
 * Saves a draft (or submits it) inside the caller's transaction: answers, score, release state, the call's
 * evaluated count, the coaching task and the audit entry. A stale revision, or a draft someone submitted
 * meanwhile, is a 409. `opened` says the draft was made in this same transaction (it has no answers and
 * no coaching task yet). Returns the scorecard as saved.
 */
export async function writeSave(
  trx: Executor,
  actor: Actor,
  draft: Evaluation,
  plan: SavePlan,
  opened = false,
): Promise<SavedEvaluation> {
  const { input, rubric, result, now } = plan;
  const calibration = draft.kind === 'calibration';
  const zone = async () => (await getSettings(trx)).time_zone;
  const release = input.submit ? (calibration ? CALIBRATION_SUBMIT : await releaseFields(rubric, now, zone)) : null;
  const expected = input.revision ?? draft.revision;
  const saved = await saveDraftAt(trx, draft.id, expected, {
    ...scoreColumns(result),
    comment: input.comment,
    time_spent_s: draft.time_spent_s + input.time_spent_s,
    revision: expected + 1,
    updated_at: now,
    updated_by: actor.id,
    ...(release ? { ...release, submitted_at: now } : {}),
  });
  if (!saved) throw await staleConflict(trx, draft.id);
  if (opened) await insertAnswers(trx, saved.id, plan.answers);
  else await replaceAnswers(trx, saved.id, plan.answers);
  if (!input.submit) return { evaluation: saved, coachingTaskId: null };
  // Calibration scoring is practice on a call: it never counts as the call's evaluation nor coaches the CSR.
  if (!calibration) await countEvaluated(trx, saved.call_id);
  await recordRuleAnswers(trx, saved, rubric, plan.answers, { suggested: plan.suggested === true, now, fresh: opened });
  const coachingTaskId = calibration
    ? null
    : await syncCoachingTask(trx, saved, rubric, result, { now, actorId: actor.id, newEvaluation: opened });
  await recordChange(trx, now, { actorId: actor.id, ip: plan.ip }, 'evaluation.submitted', ['evaluation', saved.id], {
    score: result.score,
    passed: result.passed,
    critical_failed: result.critical_failed,
    released: release?.status === 'released',
    coaching_task_id: coachingTaskId,
    ...(calibration ? { kind: 'calibration' } : {}),
  });
  if (!calibration) {
    // Queued in this transaction: a submit that rolls back tells nobody.
    const data = evaluationEventData(saved);
    const released = release?.status === 'released';
    await queueWebhookEvents(trx, now, [
      { type: 'evaluation.submitted', data },
      ...(released ? [{ type: 'evaluation.released' as const, data }] : []),
    ]);
  }
  return { evaluation: saved, coachingTaskId };
}
