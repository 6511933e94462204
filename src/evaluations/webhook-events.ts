import type { Evaluation } from '../db/schema';

/** What a webhook hears of a scorecard: ids and figures, never comments or answers' text. */
export function evaluationEventData(evaluation: Evaluation) {
  return {
    evaluation_id: evaluation.id,
    call_id: evaluation.call_id,
    rubric_id: evaluation.rubric_id,
    agent_id: evaluation.agent_id,
    score: evaluation.score,
    raw_score: evaluation.raw_score,
    passed: evaluation.passed === null ? null : evaluation.passed === 1,
  };
}
