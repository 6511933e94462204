import { conditionOnLatestCalls, parseJsonField, ruleSchema } from '../autoqa';
import type { DB } from '../db/database';

// The rubric builder's dry run: as a rule is edited, what it would answer on the last 50 analysed calls the
// person may see, with the reason, so a rule can be judged on real calls before it is published. The calls and
// the condition's outcome on each come from the autoqa room (shared with the topics page's dry run).

export interface DryRunCall {
  call_id: number;
  external_id: string;
  started_at: string;
  /** 'then' when the condition holds, 'else' when not, null when the call lacks a fact the rule needs. */
  branch: 'then' | 'else' | null;
  answer: string | number | null;
  reason: string;
  url: string;
}

export interface DryRun {
  counts: { then: number; else: number; none: number };
  calls: DryRunCall[];
}

const RULE_TEXT = {
  field: 'rule',
  blank: 'Type a rule: {"when": …, "then": …, "else": …}.',
  notJson: 'The rule is not valid JSON.',
};

export async function dryRun(db: DB, ruleText: unknown, teamIds: number[] | 'all'): Promise<DryRun> {
  const rule = parseJsonField(ruleSchema, ruleText, RULE_TEXT);
  const counts = { then: 0, else: 0, none: 0 };
  const calls = (await conditionOnLatestCalls(db, rule.when, teamIds)).map(({ value, ...call }): DryRunCall => {
    const branch = value === null ? null : value ? 'then' : 'else';
    counts[branch ?? 'none'] += 1;
    return { ...call, branch, answer: branch === null ? null : rule[branch] };
  });
  return { counts, calls };
}
