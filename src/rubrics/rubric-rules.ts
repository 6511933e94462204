import { resolveRule, type Rule } from '../autoqa';
import type { ItemInput } from './rubrics.schemas';

// An item's automatic rule as stored: JSON with its answers in the stored form of an evaluation's answers
// ("yes", "no", "na", "3", an option id as text), so a rule's answer and a person's compare directly.

export type StoredRule = Rule<string>;

/** The rule to store for an item whose options now have ids (labels resolved to those ids). */
export function ruleToStore(
  item: Pick<ItemInput, 'type' | 'allow_na' | 'auto'>,
  maxPoints: number,
  options: ReadonlyArray<{ id: number; label: string; points: number }>,
  path: string,
): string | null {
  if (!item.auto) return null;
  const ruleItem = { type: item.type, max_points: maxPoints, allow_na: item.allow_na, options };
  return JSON.stringify(resolveRule(item.auto, ruleItem, path));
}

/** A stored rule read back (written by ruleToStore, so its shape is known). */
export function storedRule(text: string | null): StoredRule | null {
  return text ? (JSON.parse(text) as StoredRule) : null;
}

/** A stored rule as rubric input for a copy: option ids become labels, since the copy's options get new ids. */
export function ruleAsInput(
  rule: StoredRule | null,
  item: { type: string; options: ReadonlyArray<{ id: number; label: string }> },
): Rule | null {
  if (!rule) return null;
  const answer = (value: string) =>
    item.type === 'choice' ? (item.options.find((o) => String(o.id) === value)?.label ?? value) : value;
  return { when: rule.when, then: answer(rule.then), else: answer(rule.else) };
}
