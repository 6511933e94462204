import { Validation, type FieldProblem } from '../lib/errors';
import type { FullItem, FullRubric } from '../rubrics';
import { itemMax, itemPoints, type AnswerValue } from '../scoring';

export interface CheckedAnswer {
  item_id: number;
  value: string;
  points: number | null;
  max_points: number;
  comment: string | null;
  at_s: number | null;
}

interface RawAnswer {
  item_id: number;
  value: string | number;
  comment: string | null;
  at_s: number | null;
}

function describeValue(item: FullItem): string {
  if (item.type === 'yes_no') return `"yes" or "no"${item.allow_na ? ' (or "na")' : ''}`;
  if (item.type === 'scale') return `a whole number from 0 to ${item.max_points}${item.allow_na ? ' (or "na")' : ''}`;
  return `one of its option ids (${item.options.map((o) => o.id).join(', ')})${item.allow_na ? ' or "na"' : ''}`;
}

/** The stored form of an answer's value, or null when it is not a valid answer for the item. */
function normalise(item: FullItem, value: string | number): string | null {
  const text = String(value).trim().toLowerCase();
  if (text === 'na') return item.allow_na ? 'na' : null;
  if (item.type === 'yes_no') return text === 'yes' || text === 'no' ? text : null;
  if (!/^\d+$/.test(text)) return null;
  if (item.type === 'scale') return Number(text) <= item.max_points ? String(Number(text)) : null;
  return item.options.some((o) => o.id === Number(text)) ? String(Number(text)) : null;
}

/** Checks answers against this exact rubric version; on submit every item needs an answer and required comments. */
export function checkAnswers(rubric: FullRubric, raw: RawAnswer[], submit: boolean): CheckedAnswer[] {
  const items = new Map(rubric.sections.flatMap((s) => s.items).map((i) => [i.id, i]));
  const problems: FieldProblem[] = [];
  const checked = new Map<number, CheckedAnswer>();
  raw.forEach((answer, index) => {
    const item = items.get(answer.item_id);
    const path = `answers.${index}`;
    if (!item) {
      problems.push({ path: `${path}.item_id`, message: `Item ${answer.item_id} is not part of this rubric version.` });
      return;
    }
    if (checked.has(item.id)) {
      problems.push({ path: `${path}.item_id`, message: `"${item.prompt}" is answered twice.` });
      return;
    }
    const value = normalise(item, answer.value);
    if (value === null) {
      const na = String(answer.value).toLowerCase() === 'na' && !item.allow_na;
      problems.push({
        path: `${path}.value`,
        message: na ? `"${item.prompt}" cannot be N/A.` : `"${item.prompt}" takes ${describeValue(item)}.`,
      });
      return;
    }
    const scoredValue: AnswerValue = item.type === 'yes_no' || value === 'na' ? value : Number(value);
    checked.set(item.id, {
      item_id: item.id,
      value,
      points: itemPoints(item, scoredValue),
      max_points: itemMax(item),
      comment: answer.comment,
      at_s: answer.at_s,
    });
  });
  if (submit) {
    for (const item of items.values()) {
      const answer = checked.get(item.id);
      if (!answer) problems.push({ path: `items.${item.id}`, message: `Answer "${item.prompt}".` });
      else if (
        item.comment_required &&
        answer.points !== null &&
        answer.points < answer.max_points &&
        !answer.comment
      ) {
        problems.push({
          path: `items.${item.id}.comment`,
          message: `"${item.prompt}" needs a comment when it does not get full marks.`,
        });
      }
    }
  }
  if (problems.length)
    throw new Validation(problems, submit ? 'Some answers are missing or not valid.' : 'Some answers are not valid.');
  return [...checked.values()];
}

/** Answers in the shape the score math takes. */
export function answerMap(
  answers: Array<{ item_id: number; value: string }>,
  rubric: FullRubric,
): Record<number, AnswerValue> {
  const types = new Map(rubric.sections.flatMap((s) => s.items).map((i) => [i.id, i.type]));
  const map: Record<number, AnswerValue> = {};
  for (const a of answers)
    map[a.item_id] = types.get(a.item_id) === 'yes_no' || a.value === 'na' ? a.value : Number(a.value);
  return map;
}

/** How an answer reads on a scorecard: Yes / No / N/A, "3 of 4", or the option's label. */
export function answerLabel(item: FullItem, value: string | null): string {
  if (value === null) return '—';
  if (value === 'na') return 'N/A';
  if (item.type === 'yes_no') return value === 'yes' ? 'Yes' : 'No';
  if (item.type === 'scale') return `${value} of ${item.max_points}`;
  return item.options.find((o) => String(o.id) === value)?.label ?? value;
}
