import { evaluateCondition, loadCallFacts, ruleSchema } from '../autoqa';
import type { DB } from '../db/database';
import { Validation } from '../lib/errors';
import { latestAnalysedCalls } from './dry-run.queries';

// The rubric builder's dry run: as a rule is edited, what it would answer on the last 50 analysed calls the
// person may see, with the reason, so a rule can be judged on real calls before it is published.

export const DRY_RUN_CALLS = 50;

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

/** Parses the rule text as the builder sends it; a person-readable 422 when it is not a rule. */
function ruleOf(text: unknown) {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new Validation([{ path: 'rule', message: 'Type a rule: {"when": …, "then": …, "else": …}.' }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Validation([{ path: 'rule', message: 'The rule is not valid JSON.' }]);
  }
  const parsed = ruleSchema.safeParse(json);
  if (!parsed.success) {
    throw new Validation(
      parsed.error.issues.slice(0, 5).map((i) => ({ path: ['rule', ...i.path].join('.'), message: i.message })),
    );
  }
  return parsed.data;
}

export async function dryRun(db: DB, ruleText: unknown, teamIds: number[] | 'all'): Promise<DryRun> {
  const rule = ruleOf(ruleText);
  const calls = await latestAnalysedCalls(db, teamIds, DRY_RUN_CALLS);
  const counts = { then: 0, else: 0, none: 0 };
  const out: DryRunCall[] = [];
  for (const call of calls) {
    const facts = await loadCallFacts(db, call.id);
    if (!facts) continue;
    const result = evaluateCondition(rule.when, facts);
    const branch = result.value === null ? null : result.value ? 'then' : 'else';
    counts[branch ?? 'none'] += 1;
    out.push({
      call_id: call.id,
      external_id: call.external_id,
      started_at: call.started_at,
      branch,
      answer: branch === null ? null : rule[branch],
      reason: result.reason,
      url: `/calls/${call.id}`,
    });
  }
  return { counts, calls: out };
}
