import { AppError, Validation } from '../lib/errors';
import { itemErrors } from '../lib/forms';
import type { FullRubric } from '../rubrics';

// The scoring form (score, rescore, and a dispute's rescore): its fields in, its problems out.

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

/** The scoring form's fields as a save or a rescore takes them (the schema checks them). */
export function scoringFormInput(rubric: FullRubric, form: Record<string, unknown>) {
  return {
    answers: answersFromForm(rubric, form),
    comment: form.comment,
    revision: form.revision,
    time_spent_s: form.time_spent_s || 0,
  };
}

/**
 * Why a scoring form was refused, to show it again: answer problems beside their items, a conflict (409,
 * e.g. a stale revision) at the top. Null when the error is not about the form (rethrow it).
 */
export function scoringFormErrors(
  err: unknown,
  answers: ReadonlyArray<{ item_id: number }>,
): { status: number; errors: Record<string, string> } | null {
  if (!(err instanceof Validation) && !(err instanceof AppError && err.status === 409)) return null;
  const errors = err instanceof Validation ? itemErrors(err, answers) : { _form: err.message };
  return { status: err.status, errors: { ...errors, _form: errors._form ?? err.message } };
}
