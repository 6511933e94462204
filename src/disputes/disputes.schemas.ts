import { z } from 'zod';
import { dateBound, instantRange } from '../lib/date-range';
import { pageOf, timestamp } from '../lib/openapi';

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

const date = dateBound.optional();

export const disputeListSchema = z.object({
  status: z.enum(['open', 'upheld', 'rescored']).optional(),
  from: date,
  to: date,
  cursor: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const disputeReportSchema = z.object({ from: date, to: date });

/** The opening times a from/to filter covers: [openedFrom, openedBefore) in UTC, or a 422 when it is empty. */
export function openedIn(filter: { from?: string; to?: string }): { openedFrom?: string; openedBefore?: string } {
  const range = instantRange(filter);
  return { openedFrom: range.start, openedBefore: range.end };
}

// What the API answers for a dispute (the OpenAPI document's response schemas; test/api checks them).
const rowId = z.number().int().positive();

export const disputeResponseSchema = z.object({
  id: rowId,
  evaluation_id: rowId,
  status: z.enum(['open', 'upheld', 'rescored']).describe('open = in review'),
  reason: z.string(),
  items: z.array(
    z.object({
      item_id: rowId,
      prompt: z.string(),
      points_before: z.number(),
      max_points: z.number(),
      points_after: z.number().nullable(),
    }),
  ),
  assignee_id: rowId.nullable().describe('who reviews it'),
  opened_at: timestamp,
  resolved_at: timestamp.nullable(),
  resolution_reason: z.string().nullable(),
  score_before: z.number().nullable(),
  score_after: z.number().nullable(),
});

export const disputePageSchema = pageOf(disputeResponseSchema);
