import { z } from 'zod';

export const suggestionsQuerySchema = z.object({
  rubric_id: z.coerce
    .number({ error: 'rubric_id is the id of a rubric version.' })
    .int('rubric_id is the id of a rubric version.')
    .positive('rubric_id is the id of a rubric version.')
    .max(Number.MAX_SAFE_INTEGER, 'rubric_id is the id of a rubric version.'),
});

const evidenceSchema = z.object({
  kind: z.enum(['line', 'dead_air', 'overtalk']).describe('a transcript line or a stretch of audio'),
  start_s: z.number(),
  end_s: z.number(),
  speaker: z.enum(['agent', 'customer']).nullable(),
  text: z.string().nullable().describe('the line (null for a stretch of audio)'),
  match: z
    .object({ start: z.number().int(), end: z.number().int() })
    .nullable()
    .describe('the matched characters of text, [start, end)'),
});

export const suggestionsResponseSchema = z.object({
  rubric_id: z.number().int().positive(),
  answers: z.array(
    z.object({
      item_id: z.number().int().positive(),
      value: z
        .string()
        .nullable()
        .describe('"yes", "no", "na", a scale number or an option id, as text; null when the rule cannot answer'),
      reason: z.string(),
      evidence: z.array(evidenceSchema),
    }),
  ),
  score: z.number().nullable().describe('null while an item has no suggested answer'),
  raw_score: z.number().nullable(),
  passed: z.boolean().nullable(),
});
