import type { Call, Evaluation } from '../db/schema';
import type { AppDeps } from '../deps';
import { NotFound, Validation } from '../lib/errors';
import { mayScoreCalls, visibleCallOr404, type Actor } from '../policy';
import { loadRubric, type FullRubric } from '../rubrics';

// What every scoring action checks before its transaction.

/** Scoring work is staff work: to anyone else the scorecard (or call) does not exist. */
export function scorerOr404(actor: Actor, message = 'No such scorecard.'): void {
  if (!mayScoreCalls(actor)) throw new NotFound(message);
}

/** A call the actor may score: one they can see, with an agent (an abandoned call has nobody to score). */
export async function scorableCall(deps: AppDeps, actor: Actor, callId: number): Promise<Call & { agent_id: number }> {
  const call = await visibleCallOr404(deps.db, actor, callId);
  if (call.agent_id === null)
    throw new Validation([{ path: 'call_id', message: 'An abandoned call has no agent to score.' }]);
  return { ...call, agent_id: call.agent_id };
}

export function publishedOr422(rubric: FullRubric | undefined): FullRubric {
  if (!rubric || rubric.status !== 'published') {
    throw new Validation([{ path: 'rubric_id', message: 'Choose a published rubric.' }]);
  }
  return rubric;
}

/** The exact rubric version a scorecard was scored on. */
export async function rubricOf(deps: AppDeps, evaluation: Evaluation): Promise<FullRubric> {
  const rubric = await loadRubric(deps.db, evaluation.rubric_id);
  if (!rubric) throw new NotFound('The rubric of this scorecard is gone.');
  return rubric;
}
