import { z } from 'zod';

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);
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
