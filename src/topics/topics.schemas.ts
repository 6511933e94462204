import { z } from 'zod';
import { conditionSchema, type Condition } from '../autoqa';
import { checkbox, requiredText } from '../lib/validation';

// A topic as the admin page writes it: a name and a condition in the rule language of rubric items (the
// `when` of an item's rule, docs/AUTOQA.md), typed as JSON like the builder's rules, with every problem named
// at its path (`rule.any.0.phrase.any_of`).

export const MAX_TOPIC_NAME = 80;

const conditionText = z
  .string({ error: 'Write the condition as JSON, like {"phrase": {"any_of": ["cancel my account"]}}.' })
  .trim()
  .min(1, 'Write the condition as JSON, like {"phrase": {"any_of": ["cancel my account"]}}.')
  .max(20_000, 'The condition is at most 20,000 characters.')
  .transform((text, ctx): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'The condition is not valid JSON (check quotes, commas and brackets).' });
      return z.NEVER;
    }
  })
  .pipe(conditionSchema);

export const topicInputSchema = z.object({
  name: requiredText(
    MAX_TOPIC_NAME,
    'Give the topic a name.',
    `A topic's name is at most ${MAX_TOPIC_NAME} characters.`,
  ),
  rule: conditionText,
  active: checkbox,
});

/** The condition alone, as the topic form's "Try it" (the dry run) sends it. */
export const topicConditionSchema = z.object({ rule: conditionText });

export type TopicInput = z.output<typeof topicInputSchema>;

/** A stored topic with its parsed condition. */
export interface TopicRule {
  id: number;
  name: string;
  when: Condition;
  version: number;
}
