import { z } from 'zod';
import { blankToUndefined } from '../lib/validation';
import { pageOf, timestamp } from '../lib/openapi';

/** A form sends one checkbox value as a string and several as an array. */
const asArray = (v: unknown) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);

export const newSessionSchema = z.object({
  call_id: z.coerce.number({ error: 'Choose a call.' }).int('Choose a call.').positive('Choose a call.'),
  rubric_id: z.coerce.number({ error: 'Choose a rubric.' }).int('Choose a rubric.').positive('Choose a rubric.'),
  evaluator_ids: z.preprocess(
    asArray,
    z
      .array(z.coerce.number({ error: 'Evaluators are user ids.' }).int().positive(), {
        error: 'Invite at least two evaluators.',
      })
      .max(50, 'At most 50 evaluators.')
      .transform((ids) => [...new Set(ids)])
      .refine((ids) => ids.length >= 2, 'Invite at least two evaluators.'),
  ),
  expert_id: z.preprocess(
    blankToUndefined,
    z.coerce.number({ error: 'Choose the expert from the list.' }).int().positive().optional(),
  ),
  blind_until: z
    .enum(['submitted', 'closed'], { error: "Hide others' answers until you submit, or until the session closes." })
    .default('submitted'),
  title: z.preprocess(blankToUndefined, z.string().trim().max(120, 'The title is at most 120 characters.').optional()),
});

export type NewSessionInput = z.output<typeof newSessionSchema>;

export const sessionListSchema = z.object({
  status: z.enum(['open', 'closed']).optional(),
  cursor: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

// What the API answers for a calibration session (the OpenAPI document's response schemas; test/api checks them).
const rowId = z.number().int().positive();
const share = z.number().nullable();

export const sessionResponseSchema = z.object({
  id: rowId,
  title: z.string(),
  call_id: rowId,
  rubric_id: rowId,
  status: z.enum(['open', 'closed']),
  blind_until: z.enum(['submitted', 'closed']),
  expert_id: rowId.nullable(),
  created_at: timestamp,
  closed_at: timestamp.nullable(),
  participants: z.array(
    z.object({
      user_id: rowId,
      name: z.string(),
      is_expert: z.boolean(),
      progress: z.enum(['not started', 'scoring', 'submitted']),
    }),
  ),
  own_evaluation_id: rowId.nullable(),
  results_visible: z.boolean().describe("false while the session's blindness hides others' answers"),
  results: z
    .object({
      reference: z.object({ kind: z.enum(['expert', 'mean']), score: share }).nullable(),
      evaluators: z.array(
        z.object({
          user_id: rowId,
          evaluation_id: rowId,
          score: z.number().nullable(),
          deviation: share,
          is_expert: z.boolean(),
        }),
      ),
      items: z.array(
        z.object({
          item_id: rowId,
          agreement: share,
          disagreement: z.boolean(),
          answers: z.array(z.object({ user_id: rowId, value: z.string().nullable(), points: z.number().nullable() })),
        }),
      ),
      alpha: share.describe(
        'Krippendorff’s alpha over all items: each item type at its level (yes/no and choice nominal, scale interval on value ÷ maximum), N/A missing, combined as 1 − Σ n·D_o / Σ n·D_e over the types (docs/CALIBRATION.md)',
      ),
      alpha_by_type: z
        .array(
          z.object({
            item_type: z.enum(['yes_no', 'choice', 'scale']),
            level: z.enum(['nominal', 'ordinal', 'interval']),
            alpha: share,
            pairable: z.number().int().min(0),
            items: z.number().int().min(0),
          }),
        )
        .describe('Krippendorff’s alpha of each item type in the session at its own level of measurement'),
      alpha_band: z.enum(['reliable', 'tentative', 'unreliable', 'undefined']),
      alpha_reading: z.string(),
    })
    .nullable()
    .describe('scores and deviations from the reference (expert, else mean), item-by-item answers and agreement'),
});

export const sessionPageSchema = pageOf(
  z.object({
    id: rowId,
    title: z.string(),
    status: z.enum(['open', 'closed']),
    blind_until: z.enum(['submitted', 'closed']),
    participants: z.number().int().min(0),
    submitted: z.number().int().min(0),
    created_at: timestamp,
    closed_at: timestamp.nullable(),
  }),
);
