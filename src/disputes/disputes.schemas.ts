import { z } from 'zod';

/** A form sends one checkbox value as a string and several as an array. */
const asArray = (v: unknown) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);

const reason = (missing: string) =>
  z.string({ error: missing }).trim().min(3, missing).max(2000, 'The reason is at most 2000 characters.');

export const openDisputeSchema = z.object({
  item_ids: z.preprocess(
    asArray,
    z
      .array(z.coerce.number({ error: 'Item ids are numbers.' }).int('Item ids are whole numbers.').positive(), {
        error: 'Choose the items you dispute.',
      })
      .min(1, 'Choose at least one item to dispute.')
      .max(200, 'Too many items.')
      .transform((ids) => [...new Set(ids)]),
  ),
  reason: reason('Say why you dispute these items.'),
});

export type OpenDisputeInput = z.output<typeof openDisputeSchema>;

export const upholdSchema = z.object({ reason: reason('Say why the scores stand.') });

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-11-02.')
  .optional();

export const disputeListSchema = z.object({
  status: z.enum(['open', 'upheld', 'rescored']).optional(),
  from: date,
  to: date,
  cursor: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const disputeReportSchema = z.object({ from: date, to: date });
