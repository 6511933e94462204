import { deadAirCondition, holdCondition, overtalkCondition, phraseCondition } from './conditions';
import type { Condition, Rule } from './rule.schemas';
import type { CallFacts, ConditionResult, Evidence, RuleResult } from './types';

// Conditions combine in Kleene's three-valued logic, so a missing fact (no transcript, audio not analysed)
// leaves an answer open instead of turning into a "no":
//   all: false if any part is false; else unknown if any part is unknown; else true.
//   any: true if any part is true; else unknown if any part is unknown; else false.
//   not: swaps true and false; unknown stays unknown.
// The reason of a combination is the reason of the part that decided it (or of every part when all of them
// did: every part of a true `all`, every part of a false `any`).

const MAX_EVIDENCE = 20;

function joined(parts: ConditionResult[], value: boolean): ConditionResult {
  const evidence: Evidence[] = parts.flatMap((p) => p.evidence).slice(0, MAX_EVIDENCE);
  return { value, reason: parts.map((p) => p.reason).join('; '), evidence };
}

function combine(kind: 'all' | 'any', parts: ConditionResult[]): ConditionResult {
  const decisive = kind === 'all' ? false : true;
  const decided = parts.find((p) => p.value === decisive);
  if (decided) return decided;
  const open = parts.find((p) => p.value === null);
  if (open) return open;
  return joined(parts, !decisive);
}

export function evaluateCondition(condition: Condition, facts: CallFacts): ConditionResult {
  if ('phrase' in condition) return phraseCondition(condition.phrase, facts);
  if ('dead_air_over_s' in condition) return deadAirCondition(condition.dead_air_over_s, facts);
  if ('overtalk_over_s' in condition) return overtalkCondition(condition.overtalk_over_s, facts);
  if ('hold_over_s' in condition) return holdCondition(condition.hold_over_s, facts);
  if ('not' in condition) {
    const inner = evaluateCondition(condition.not, facts);
    return { ...inner, value: inner.value === null ? null : !inner.value };
  }
  if ('all' in condition)
    return combine(
      'all',
      condition.all.map((c) => evaluateCondition(c, facts)),
    );
  return combine(
    'any',
    condition.any.map((c) => evaluateCondition(c, facts)),
  );
}

/** The rule's answer for a call with its reason and evidence, or no answer (null) when a fact is missing. */
export function evaluateRule<A>(rule: Rule<A>, facts: CallFacts): RuleResult<A> {
  const result = evaluateCondition(rule.when, facts);
  if (result.value === null) return { answer: null, reason: result.reason, evidence: [] };
  return { answer: result.value ? rule.then : rule.else, reason: result.reason, evidence: result.evidence };
}

export interface SuggestedAnswer<A> {
  item_id: number;
  /** The rule's answer, or null when it cannot answer this call (the reason says why). */
  value: A | null;
  reason: string;
  evidence: Evidence[];
}

/** Suggested answers for the items that carry a rule, in the items' order. */
export function suggestAnswers<A>(
  items: ReadonlyArray<{ id: number; auto: Rule<A> | null }>,
  facts: CallFacts,
): SuggestedAnswer<A>[] {
  const answers: SuggestedAnswer<A>[] = [];
  for (const item of items) {
    if (!item.auto) continue;
    const result = evaluateRule(item.auto, facts);
    answers.push({ item_id: item.id, value: result.answer, reason: result.reason, evidence: result.evidence });
  }
  return answers;
}
