import type { z } from 'zod';
import type { DB } from '../db/database';
import { Validation } from '../lib/errors';
import { latestAnalysedCalls } from './autoqa.queries';
import { loadCallFacts } from './autoqa.service';
import { evaluateCondition } from './evaluate';
import type { Condition } from './rule.schemas';

// Dry runs: a condition (a rubric item's rule, a call topic) tried on the last 50 analysed calls a person may
// see, with the reason for each, so it can be judged on real calls before it is saved. The rubric builder and
// the topics page both show them (src/autoeval/dry-run.ts, src/topics/topics.routes.ts).

export const DRY_RUN_CALLS = 50;

export interface ConditionOnCall {
  call_id: number;
  external_id: string;
  started_at: string;
  /** Whether the condition holds; null when the call lacks a fact it needs (no transcript, audio not analysed). */
  value: boolean | null;
  reason: string;
  url: string;
}

/** The condition on each of the latest analysed calls in the teams (newest first). */
export async function conditionOnLatestCalls(
  db: DB,
  when: Condition,
  teamIds: number[] | 'all',
): Promise<ConditionOnCall[]> {
  const calls = await latestAnalysedCalls(db, teamIds, DRY_RUN_CALLS);
  const out: ConditionOnCall[] = [];
  for (const call of calls) {
    const facts = await loadCallFacts(db, call.id);
    if (!facts) continue;
    const result = evaluateCondition(when, facts);
    out.push({
      call_id: call.id,
      external_id: call.external_id,
      started_at: call.started_at,
      value: result.value,
      reason: result.reason,
      url: `/calls/${call.id}`,
    });
  }
  return out;
}

export interface JsonFieldMessages {
  /** The field's name, the first part of every problem's path. */
  field: string;
  blank: string;
  notJson: string;
}

/** Parses JSON text typed in a form field by the schema; a person-readable Validation (422) when it fails. */
export function parseJsonField<T>(schema: z.ZodType<T>, text: unknown, messages: JsonFieldMessages): T {
  const { field } = messages;
  if (typeof text !== 'string' || text.trim() === '') throw new Validation([{ path: field, message: messages.blank }]);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Validation([{ path: field, message: messages.notJson }]);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new Validation(
      parsed.error.issues.slice(0, 5).map((i) => ({ path: [field, ...i.path].join('.'), message: i.message })),
    );
  }
  return parsed.data;
}
