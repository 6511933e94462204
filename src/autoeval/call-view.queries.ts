import type { Executor } from '../db/transaction';

// A call's automatic evaluations as the call page shows them (staff only; never a CSR).

export async function autoEvaluationRows(db: Executor, callId: number) {
  return db
    .selectFrom('auto_evaluations')
    .innerJoin('rubrics', 'rubrics.id', 'auto_evaluations.rubric_id')
    .select([
      'auto_evaluations.id',
      'auto_evaluations.rubric_id',
      'rubrics.name as rubric_name',
      'rubrics.version as rubric_version',
      'rubrics.status as rubric_status',
      'auto_evaluations.answered',
      'auto_evaluations.failed',
      'auto_evaluations.score',
      'auto_evaluations.raw_score',
      'auto_evaluations.passed',
      'auto_evaluations.critical_failed',
      'auto_evaluations.evaluated_at',
    ])
    .where('auto_evaluations.call_id', '=', callId)
    .orderBy('rubrics.name')
    .execute();
}

export async function autoAnswerRows(db: Executor, autoEvaluationIds: number[]) {
  if (autoEvaluationIds.length === 0) return [];
  return db
    .selectFrom('auto_evaluation_answers')
    .innerJoin('rubric_items', 'rubric_items.id', 'auto_evaluation_answers.item_id')
    .leftJoin('rubric_sections', 'rubric_sections.id', 'rubric_items.section_id')
    .select([
      'auto_evaluation_answers.auto_evaluation_id',
      'auto_evaluation_answers.item_id',
      'rubric_items.prompt',
      'rubric_items.critical',
      'auto_evaluation_answers.value',
      'auto_evaluation_answers.failed',
      'auto_evaluation_answers.reason',
      'auto_evaluation_answers.evidence',
    ])
    .where('auto_evaluation_answers.auto_evaluation_id', 'in', autoEvaluationIds)
    .orderBy('rubric_sections.position')
    .orderBy('rubric_items.position')
    .execute();
}

/** Option labels of the given items, to show a choice answer by its label. */
export async function optionLabels(db: Executor, itemIds: number[]) {
  if (itemIds.length === 0) return [];
  return db.selectFrom('rubric_options').select(['id', 'label']).where('item_id', 'in', itemIds).execute();
}
