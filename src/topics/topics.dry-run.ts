import { conditionOnLatestCalls, type ConditionOnCall } from '../autoqa';
import type { DB } from '../db/database';
import { parseInput } from '../lib/validation';
import { topicConditionSchema } from './topics.schemas';

// A topic's dry run: which of the last 50 analysed calls the condition being typed would tag, and why, before
// the topic is saved (the rubric builder's dry run, from the same autoqa code). Admins only, as the topics pages.

export interface TopicDryRun {
  /** The calls it was tried on (at most 50), newest first, each with the outcome. */
  calls: ConditionOnCall[];
  tagged: ConditionOnCall[];
  untagged: ConditionOnCall[];
  /** Calls it cannot decide (a fact is missing): they would not be tagged. */
  open: ConditionOnCall[];
}

/** The condition text as typed in the form; a Validation (422) naming the problem's path when it is not one. */
export async function topicDryRun(db: DB, text: unknown): Promise<TopicDryRun> {
  const { rule } = parseInput(topicConditionSchema, { rule: typeof text === 'string' ? text : '' });
  const calls = await conditionOnLatestCalls(db, rule, 'all');
  return {
    calls,
    tagged: calls.filter((c) => c.value === true),
    untagged: calls.filter((c) => c.value === false),
    open: calls.filter((c) => c.value === null),
  };
}
