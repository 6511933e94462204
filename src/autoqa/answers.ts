import type { ItemType } from '../db/schema';
import { Validation, type FieldProblem } from '../lib/errors';
import type { Rule, RuleAnswer } from './rule.schemas';

// A rule's answers are checked against the item they answer, and stored in the form of an evaluation's
// answers ("yes", "no", "na", "3", an option id as text), so a rule's answer and a person's compare directly.

export interface RuleItemOption {
  /** Absent while a rubric is being created (labels are resolved to ids once the options exist). */
  id?: number;
  label: string;
  points: number;
}

export interface RuleItem {
  type: ItemType;
  /** The scale's maximum (yes/no: the Yes points); ignored for choice items. */
  max_points: number;
  allow_na: boolean;
  options: readonly RuleItemOption[];
}

type Resolved = { ok: true; value: string | null } | { ok: false; message: string };

function describe(item: RuleItem): string {
  const na = item.allow_na ? ' (or "na")' : '';
  if (item.type === 'yes_no') return `"yes" or "no"${na}`;
  if (item.type === 'scale') return `a whole number from 0 to ${item.max_points}${na}`;
  const labels = item.options.map((o) => `"${o.label}"`).join(', ');
  return `one of its options (${labels}) by label or id${na}`;
}

function choiceAnswer(answer: RuleAnswer, item: RuleItem): Resolved | null {
  if (typeof answer === 'string') {
    const label = answer.trim().toLowerCase();
    const byLabel = item.options.find((o) => o.label.trim().toLowerCase() === label);
    if (byLabel) return { ok: true, value: byLabel.id === undefined ? null : String(byLabel.id) };
  }
  const text = String(answer).trim();
  if (!/^\d+$/.test(text)) return null;
  const byId = item.options.find((o) => o.id !== undefined && o.id === Number(text));
  return byId ? { ok: true, value: String(byId.id) } : null;
}

/** The stored form of one answer for this item (null: a valid label whose option has no id yet), or why not. */
export function resolveAnswer(answer: RuleAnswer, item: RuleItem): Resolved {
  const text = String(answer).trim().toLowerCase();
  const refuse: Resolved = { ok: false, message: `This item takes ${describe(item)}.` };
  if (text === 'na')
    return item.allow_na ? { ok: true, value: 'na' } : { ok: false, message: 'This item cannot be N/A.' };
  if (item.type === 'yes_no') return text === 'yes' || text === 'no' ? { ok: true, value: text } : refuse;
  if (item.type === 'scale') {
    const n = typeof answer === 'number' ? answer : /^\d+$/.test(text) ? Number(text) : NaN;
    return Number.isInteger(n) && n >= 0 && n <= item.max_points ? { ok: true, value: String(n) } : refuse;
  }
  return choiceAnswer(answer, item) ?? refuse;
}

/** Problems with a rule's `then` and `else` for this item, at `path`.then / `path`.else. */
export function checkRuleAnswers(rule: Rule, item: RuleItem, path = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const key of ['then', 'else'] as const) {
    const resolved = resolveAnswer(rule[key], item);
    if (!resolved.ok) problems.push({ path: path ? `${path}.${key}` : key, message: resolved.message });
  }
  return problems;
}

/** The rule with its answers in stored form; options must have ids. Throws Validation otherwise. */
export function resolveRule(rule: Rule, item: RuleItem, path = ''): Rule<string> {
  const problems = checkRuleAnswers(rule, item, path);
  const then = resolveAnswer(rule.then, item);
  const otherwise = resolveAnswer(rule.else, item);
  if (problems.length === 0 && then.ok && otherwise.ok && then.value !== null && otherwise.value !== null) {
    return { when: rule.when, then: then.value, else: otherwise.value };
  }
  if (problems.length === 0) {
    problems.push({ path: path || 'then', message: 'The options of this item have no ids yet.' });
  }
  throw new Validation(problems);
}
