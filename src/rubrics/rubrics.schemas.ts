import { z } from 'zod';
import { autoModeSchema, checkRuleAnswers, ruleSchema } from '../autoqa';
import { blankToUndefined, requiredText } from '../lib/validation';
import { timestamp } from '../lib/openapi';

const flag = z
  .union([z.boolean(), z.enum(['on', 'true', '1', 'false', '0', ''])])
  .optional()
  .transform((v) => v === true || v === 'on' || v === 'true' || v === '1');

const blankToNull = (v: unknown) => (v === '' || v === undefined ? null : v);

/** Disputes are on unless switched off: an API client that says nothing gets the default. */
const disputesFlag = z
  .union([z.boolean(), z.enum(['on', 'true', '1', 'false', '0', ''])], { error: 'disputes_enabled is true or false.' })
  .optional()
  .transform((v) => v === undefined || v === true || v === 'on' || v === 'true' || v === '1');

const disputeFields = {
  disputes_enabled: disputesFlag,
  dispute_limit: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'Disputes per scorecard must be a number.' })
      .int('Disputes per scorecard is a whole number.')
      .min(1, 'At least 1 dispute per scorecard.')
      .max(10, 'At most 10 disputes per scorecard.')
      .default(2),
  ),
  dispute_window_days: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'The dispute window must be a number of days.' })
      .int('The dispute window is a whole number of days.')
      .min(1, 'The dispute window is at least 1 day.')
      .max(365, 'The dispute window is at most 365 days.')
      .default(14),
  ),
  dispute_reviewer: z
    .enum(['supervisor', 'manager'], { error: 'Disputes are reviewed by the supervisor or the manager.' })
    .default('supervisor'),
};

const optionSchema = z.object({
  label: requiredText(80, 'Each option needs a label.', 'Option labels are at most 80 characters.'),
  points: z.coerce
    .number({ error: 'Option points must be a number.' })
    .min(0, 'Option points cannot be negative.')
    .max(1000, 'At most 1000 points.'),
});

interface ItemShape {
  type: 'yes_no' | 'scale' | 'choice';
  max: number | null;
  points: number | null;
  allow_na: boolean;
  options: Array<{ label: string; points: number }>;
  auto: z.output<typeof ruleSchema> | null;
}

/** A rule's answers must be answers the item takes (option labels are resolved to ids once stored). */
function checkAutoAnswers(item: ItemShape, ctx: z.RefinementCtx): void {
  if (!item.auto) return;
  const ruleItem = { type: item.type, max_points: maxPointsOf(item), allow_na: item.allow_na, options: item.options };
  for (const problem of checkRuleAnswers(item.auto, ruleItem)) {
    ctx.addIssue({ code: 'custom', path: ['auto', ...problem.path.split('.')], message: problem.message });
  }
}

const itemSchema = z
  .object({
    prompt: requiredText(300, 'Each item needs a question.', 'Questions are at most 300 characters.'),
    guidance: z
      .preprocess(blankToNull, z.string().trim().max(2000, 'Guidance is at most 2000 characters.').nullable())
      .default(null),
    type: z.enum(['yes_no', 'scale', 'choice'], { error: 'Item type is yes_no, scale or choice.' }),
    max: z
      .preprocess(
        blankToNull,
        z.coerce
          .number()
          .int('The scale maximum is a whole number.')
          .min(1, 'The scale maximum is at least 1.')
          .max(100, 'The scale maximum is at most 100.')
          .nullable(),
      )
      .default(null),
    points: z
      .preprocess(
        blankToNull,
        z.coerce.number().positive('Points must be more than 0.').max(1000, 'At most 1000 points.').nullable(),
      )
      .default(null),
    options: z.array(optionSchema).max(10, 'At most 10 options.').default([]),
    allow_na: flag,
    critical: flag,
    comment_required: flag,
    auto: ruleSchema.nullable().default(null),
  })
  .superRefine((item, ctx) => {
    checkAutoAnswers(item, ctx);
    if (item.type === 'scale' && item.max === null)
      ctx.addIssue({ code: 'custom', path: ['max'], message: 'A scale item needs its maximum.' });
    if (item.type === 'choice') {
      if (item.options.length < 2)
        ctx.addIssue({ code: 'custom', path: ['options'], message: 'A choice item needs at least two options.' });
      else if (!item.options.some((o) => o.points > 0)) {
        ctx.addIssue({ code: 'custom', path: ['options'], message: 'At least one option must be worth points.' });
      }
    }
  });

const sectionSchema = z.object({
  title: requiredText(120, 'Each section needs a title.', 'Section titles are at most 120 characters.'),
  weight: z.coerce
    .number({ error: 'Weight must be a number.' })
    .positive('Weight must be more than 0.')
    .max(100, 'Weight is at most 100.')
    .default(1),
  threshold: z
    .preprocess(
      blankToNull,
      z.coerce
        .number({ error: 'Threshold must be a number.' })
        .min(0, 'Threshold is from 0 to 100.')
        .max(100, 'Threshold is from 0 to 100.')
        .nullable(),
    )
    .default(null),
  items: z.array(itemSchema).min(1, 'Each section needs at least one item.').max(50, 'At most 50 items in a section.'),
});

export const rubricSchema = z
  .object({
    name: requiredText(120, 'The rubric needs a name.', 'Names are at most 120 characters.'),
    description: z.preprocess(blankToNull, z.string().trim().max(2000).nullable()).default(null),
    pass_threshold: z.coerce
      .number({ error: 'Pass threshold must be a number.' })
      .min(0, 'Pass threshold is from 0 to 100.')
      .max(100, 'Pass threshold is from 0 to 100.')
      .default(75),
    release_mode: z
      .enum(['on_submit', 'after_days', 'manual', 'never'], {
        error: 'Release is on_submit, after_days, manual or never.',
      })
      .default('on_submit'),
    release_after_days: z
      .preprocess(
        blankToNull,
        z.coerce
          .number()
          .int('Days are a whole number.')
          .min(1, 'At least 1 day.')
          .max(365, 'At most 365 days.')
          .nullable(),
      )
      .default(null),
    ...disputeFields,
    auto_mode: autoModeSchema.default('off'),
    sections: z
      .array(sectionSchema, { error: 'A rubric needs sections.' })
      .min(1, 'A rubric needs at least one section.')
      .max(30, 'At most 30 sections.'),
  })
  .superRefine((rubric, ctx) => {
    if (rubric.release_mode === 'after_days' && rubric.release_after_days === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['release_after_days'],
        message: 'Say after how many days scorecards are released.',
      });
    }
  });

export type RubricInput = z.output<typeof rubricSchema>;
export type ItemInput = RubricInput['sections'][number]['items'][number];

/** The points an item is worth at best. */
export function maxPointsOf(item: Pick<ItemInput, 'type' | 'points' | 'max' | 'options'>): number {
  if (item.type === 'yes_no') return item.points ?? 1;
  if (item.type === 'scale') return item.max ?? 1;
  return Math.max(...item.options.map((o) => o.points));
}

// What the API answers for a rubric version (the OpenAPI document's response schema; test/api checks it).
const rowId = z.number().int().positive();

const storedRuleSchema = z.object({
  when: z
    .record(z.string(), z.unknown())
    .describe('a condition: phrase, dead_air_over_s, overtalk_over_s, hold_over_s, all, any, not'),
  then: z.string(),
  else: z.string(),
});

const rubricItemResponseSchema = z.object({
  id: rowId,
  prompt: z.string(),
  guidance: z.string().nullable(),
  type: z.enum(['yes_no', 'scale', 'choice']),
  max: z.number().optional().describe('scale only: answers are 0..max'),
  points: z.number().optional().describe('yes_no only: points for Yes'),
  max_points: z.number(),
  options: z
    .array(z.object({ id: rowId, label: z.string(), points: z.number() }))
    .optional()
    .describe('choice only'),
  allow_na: z.boolean(),
  critical: z.boolean(),
  comment_required: z.boolean(),
  auto: storedRuleSchema
    .nullable()
    .describe('the automatic rule; answers in stored form ("yes", "no", "na", a scale number or an option id)'),
});

export const rubricResponseSchema = z.object({
  id: rowId,
  family_id: rowId.nullable(),
  version: z.number().int().positive(),
  name: z.string(),
  description: z.string().nullable(),
  status: z.enum(['draft', 'published', 'retired']),
  pass_threshold: z.number(),
  release_mode: z.enum(['on_submit', 'after_days', 'manual', 'never']),
  release_after_days: z.number().int().nullable(),
  disputes_enabled: z.boolean(),
  dispute_limit: z.number().int(),
  dispute_window_days: z.number().int(),
  dispute_reviewer: z.enum(['supervisor', 'manager']),
  auto_mode: z.enum(['off', 'suggest', 'auto']),
  published_at: timestamp.nullable(),
  sections: z.array(
    z.object({
      id: rowId,
      title: z.string(),
      weight: z.number(),
      threshold: z.number().nullable(),
      items: z.array(rubricItemResponseSchema),
    }),
  ),
});
