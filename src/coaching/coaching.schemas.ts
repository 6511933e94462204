import { z } from 'zod';
import { pageOf, timestamp } from '../lib/openapi';

// What the API answers for a coaching task (the OpenAPI document's response schemas; test/api checks them).
const rowId = z.number().int().positive();

export const coachingTaskResponseSchema = z.object({
  id: rowId,
  csr_id: rowId,
  assignee_id: rowId.nullable(),
  team_id: rowId.nullable(),
  evaluation_id: rowId.nullable(),
  status: z.enum(['open', 'scheduled', 'completed', 'acknowledged', 'cancelled']),
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
