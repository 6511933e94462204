import type { Evaluation } from '../db/schema';
import type { Executor } from '../db/transaction';
import { NotFound } from '../lib/errors';
import { callCues } from '../recordings';
import { loadRubric, scoringModel } from '../rubrics';
import { formatScore, type SectionScore } from '../scoring';
import { agentOfEvaluation, answersOf, callOfEvaluation, evaluatorOf, revisionsOf } from './evaluations.queries';

/** Everything the scoring form and the scorecard page show about one evaluation. */
export async function evaluationView(db: Executor, evaluation: Evaluation) {
  const [rubric, answers, call, agent, evaluator, revisions] = await Promise.all([
    loadRubric(db, evaluation.rubric_id),
    answersOf(db, evaluation.id),
    callOfEvaluation(db, evaluation),
    agentOfEvaluation(db, evaluation),
    evaluatorOf(db, evaluation),
    revisionsOf(db, evaluation.id),
  ]);
  if (!rubric) throw new NotFound('The rubric of this scorecard is gone.');
  const byItem = new Map(answers.map((a) => [a.item_id, a]));
  const sections = JSON.parse(evaluation.section_scores) as SectionScore[];
  return {
    evaluation,
    rubric,
    model: scoringModel(rubric),
    answers: byItem,
    call,
    cues: callCues(call),
    // Calibration evaluators may come from outside the call's team: they hear it through their scorecard.
    recordingUrl:
      evaluation.kind === 'calibration'
        ? `/calibration/evaluations/${evaluation.id}/recording`
        : `/calls/${call.id}/recording`,
    agent,
    evaluatorName: evaluator?.display_name ?? '—',
    sections,
    formula: formulaText(sections, evaluation),
    revisions: revisions.map((r) => ({
      ...r,
      data: JSON.parse(r.snapshot) as { score: number | null; passed: number | null },
    })),
    formatScore,
  };
}

/** The overall score's arithmetic spelled out, e.g. "(50.0 × 1 + 88.9 × 3) ÷ 4 = 79.2". */
export function formulaText(
  sections: SectionScore[],
  evaluation: Pick<Evaluation, 'raw_score' | 'critical_failed'>,
): string {
  const included = sections.flatMap((s) => (s.included && s.score !== null ? [{ ...s, score: s.score }] : []));
  if (included.length === 0) return 'Every item was N/A: there is no score.';
  const terms = included.map((s) => `${s.score.toFixed(1)} × ${s.weight}`).join(' + ');
  const weights = included.reduce((sum, s) => sum + s.weight, 0);
  const text = `(${terms}) ÷ ${weights} = ${(evaluation.raw_score ?? 0).toFixed(1)}`;
  return evaluation.critical_failed ? `${text}; a critical item failed, so the score is 0.` : text;
}
