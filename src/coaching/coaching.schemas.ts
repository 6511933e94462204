import { z } from 'zod';
import { pageOf, timestamp } from '../lib/openapi';

const COACHING_STATUSES = ['open', 'scheduled', 'completed', 'acknowledged', 'cancelled'] as const;

/** The coaching task list's query (GET /api/v1/coaching-tasks; its OpenAPI parameters are generated from it). */
export const coachingListQuerySchema = z.object({
  status: z.enum(COACHING_STATUSES).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  cursor: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

// What the API answers for a coaching task (the OpenAPI document's response schemas; test/api checks them).
const rowId = z.number().int().positive();

export const coachingTaskResponseSchema = z.object({
  id: rowId,
  csr_id: rowId,
  assignee_id: rowId.nullable(),
  team_id: rowId.nullable(),
  evaluation_id: rowId.nullable(),
  status: z.enum(COACHING_STATUSES),
  overdue: z.boolean().describe('past due and not completed'),
  focus: z.array(
    z.object({
      item_id: rowId.nullable(),
      section: z.string(),
      prompt: z.string(),
      critical: z.boolean(),
    }),
  ),
  due_at: timestamp,
  scheduled_at: timestamp.nullable(),
  completed_at: timestamp.nullable(),
  acknowledged_at: timestamp.nullable(),
  created_at: timestamp,
});

export const coachingTaskPageSchema = pageOf(coachingTaskResponseSchema);
