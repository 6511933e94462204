import type { Executor } from '../db/transaction';
import { Validation } from '../lib/errors';
import { answersOf } from './evaluations.queries';

// A rescore that changes an answer would leave the earlier answer's comment ("Did not give name") beside the new
// one ("Yes"). The rescore form asks, for each such item, whether to keep, edit or clear that comment.

export const COMMENT_DECISIONS = ['keep', 'edit', 'clear'] as const;
export type CommentDecision = (typeof COMMENT_DECISIONS)[number];

interface PostedAnswer {
  item_id: number;
  value: string;
  comment: unknown;
}

/** An item whose answer the rescore changes while its comment is still the earlier answer's. */
export interface StaleComment {
  item_id: number;
  previous_value: string;
  comment: string;
}

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/** The items whose posted answer differs from the scorecard's and whose posted comment is the earlier one. */
export async function staleComments(db: Executor, evaluationId: number, posted: PostedAnswer[]) {
  const previous = new Map((await answersOf(db, evaluationId)).map((a) => [a.item_id, a]));
  const stale: StaleComment[] = [];
  for (const answer of posted) {
    const before = previous.get(answer.item_id);
    const comment = text(before?.comment);
    if (!before || comment === '' || String(answer.value) === before.value) continue;
    if (text(answer.comment) !== comment) continue; // already edited or cleared in the form: their decision
    stale.push({ item_id: answer.item_id, previous_value: before.value, comment });
  }
  return stale;
}

/**
 * Applies the form's decisions (cc_<item>: keep, edit or clear) to the posted answers: "clear" empties the
 * comment, "keep" and "edit" take the comment field as posted. An item without a decision is a Validation
 * error naming it, so the form comes back with the question beside each item and nothing is written.
 */
export function applyCommentDecisions<T extends PostedAnswer>(
  form: Record<string, unknown>,
  answers: T[],
  stale: StaleComment[],
): T[] {
  const undecided = stale.filter((s) => !COMMENT_DECISIONS.includes(form[`cc_${s.item_id}`] as CommentDecision));
  if (undecided.length > 0) {
    const one = undecided.length === 1;
    throw new Validation(
      undecided.map((s) => ({
        path: `items.${s.item_id}.comment`,
        message: 'The answer changed: keep, edit or clear this comment.',
      })),
      `You changed ${one ? 'an answer that has' : `${undecided.length} answers that have`} a comment from before. ` +
        `Choose for ${one ? 'it' : 'each'}: keep the comment, edit it, or clear it.`,
    );
  }
  const clear = new Set(stale.filter((s) => form[`cc_${s.item_id}`] === 'clear').map((s) => s.item_id));
  return answers.map((a) => (clear.has(a.item_id) ? { ...a, comment: null } : a));
}
