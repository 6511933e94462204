import type { DB } from '../db/database';
import type { Evaluation } from '../db/schema';
import { callCues } from '../recordings';
import { loadRubric, scoringModel, type FullRubric } from '../rubrics';
import { formatScore, type SectionScore } from '../scoring';
import { answersOf } from './evaluations.queries';

/** Everything the scoring form and the scorecard page show about one evaluation. */
export async function evaluationView(db: DB, evaluation: Evaluation) {
  const [rubric, answers, call, agent, evaluator, revisions] = await Promise.all([
    loadRubric(db, evaluation.rubric_id),
    answersOf(db, evaluation.id),
    db.selectFrom('calls').selectAll().where('id', '=', evaluation.call_id).executeTakeFirstOrThrow(),
    db
      .selectFrom('users')
      .select(['id', 'display_name', 'username'])
      .where('id', '=', evaluation.agent_id)
      .executeTakeFirstOrThrow(),
    db.selectFrom('users').select(['display_name']).where('id', '=', evaluation.evaluator_id).executeTakeFirst(),
    db
      .selectFrom('evaluation_revisions')
      .leftJoin('users', 'users.id', 'evaluation_revisions.replaced_by')
      .select([
        'evaluation_revisions.id',
        'evaluation_revisions.snapshot',
        'evaluation_revisions.reason',
        'evaluation_revisions.replaced_at',
        'users.display_name as replaced_by_name',
      ])
      .where('evaluation_id', '=', evaluation.id)
      .orderBy('evaluation_revisions.id', 'desc')
      .execute(),
  ]);
  const byItem = new Map(answers.map((a) => [a.item_id, a]));
  const sections = JSON.parse(evaluation.section_scores) as SectionScore[];
  return {
    evaluation,
    rubric: rubric as FullRubric,
    model: scoringModel(rubric as FullRubric),
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
  const included = sections.filter((s) => s.included && s.score !== null);
  if (included.length === 0) return 'Every item was N/A: there is no score.';
  const terms = included.map((s) => `${s.score!.toFixed(1)} × ${s.weight}`).join(' + ');
  const weights = included.reduce((sum, s) => sum + s.weight, 0);
  const text = `(${terms}) ÷ ${weights} = ${(evaluation.raw_score ?? 0).toFixed(1)}`;
  return evaluation.critical_failed ? `${text}; a critical item failed, so the score is 0.` : text;
}

/** Answers from the scoring form's fields: a_<item> value, c_<item> comment, t_<item> time stamp. */
export function answersFromForm(rubric: FullRubric, body: Record<string, unknown>) {
  const answers = [];
  for (const item of rubric.sections.flatMap((s) => s.items)) {
    const value = body[`a_${item.id}`];
    if (typeof value !== 'string' || value === '') continue;
    answers.push({
      item_id: item.id,
      value,
      comment: body[`c_${item.id}`] ?? null,
      at_s: body[`t_${item.id}`] ?? null,
    });
  }
  return answers;
}
