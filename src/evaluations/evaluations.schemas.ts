import { z } from 'zod';
import { dateBound } from '../lib/date-range';
import { requiredText } from '../lib/validation';
import { pageOf, timestamp } from '../lib/openapi';

const answerSchema = z.object({
  item_id: z.coerce.number({ error: 'item_id must be a number.' }).int().positive(),
  value: z.union([z.string().trim().max(20), z.number()], { error: 'Each answer needs a value.' }),
  comment: z
    .preprocess(
      (v) => (v === '' || v === undefined ? null : v),
      z.string().trim().max(2000, 'Comments are at most 2000 characters.').nullable(),
    )
    .default(null),
  at_s: z
    .preprocess(
      (v) => (v === '' || v === undefined ? null : v),
      z.coerce.number().min(0, 'at_s cannot be negative.').max(86_400, 'at_s is at most a day.').nullable(),
    )
    .default(null),
});

export const answersSchema = z.array(answerSchema).max(500, 'Too many answers.');

export const saveSchema = z.object({
  answers: answersSchema.default([]),
  comment: z
    .preprocess(
      (v) => (v === '' || v === undefined ? null : v),
      z.string().trim().max(5000, 'The overall comment is at most 5000 characters.').nullable(),
    )
    .default(null),
  submit: z.boolean().default(false),
  revision: z.coerce.number().int().positive().optional(),
  time_spent_s: z.coerce
    .number()
    .int()
    .min(0)
    .max(6 * 3600)
    .default(0),
});
export type SaveInput = z.output<typeof saveSchema>;

export const createEvaluationSchema = saveSchema.extend({
  call_id: z.number({ error: 'call_id must be a number.' }).int().positive(),
  rubric_id: z.number({ error: 'rubric_id must be a number.' }).int().positive(),
});
export type CreateEvaluationInput = z.output<typeof createEvaluationSchema>;

export const rescoreSchema = saveSchema.extend({
  reason: requiredText(1000, 'Say why you are rescoring.', 'The reason is at most 1000 characters.', 3),
});

export const acknowledgeSchema = z.object({
  comment: z
    .preprocess(
      (v) => (v === '' || v === undefined ? null : v),
      z.string().trim().max(2000, 'Comments are at most 2000 characters.').nullable(),
    )
    .default(null),
});

export const evaluationListSchema = z.object({
  agent: z.string().trim().max(64).optional(),
  status: z.enum(['draft', 'submitted', 'released', 'acknowledged']).optional(),
  rubric_id: z.coerce.number().int().positive().optional(),
  from: dateBound.optional(),
  to: dateBound.optional(),
  cursor: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

// What the API answers for a scorecard (the OpenAPI document's response schemas; test/api checks them).
const rowId = z.number().int().positive();
const evaluationStatus = z.enum(['draft', 'submitted', 'released', 'acknowledged']);

const sectionScoreSchema = z.object({
  id: rowId,
  title: z.string(),
  weight: z.number(),
  threshold: z.number().nullable(),
  score: z.number().nullable(),
  earned: z.number(),
  max: z.number(),
  included: z.boolean(),
  below_threshold: z.boolean(),
});

export const evaluationResponseSchema = z.object({
  id: rowId,
  call_id: rowId,
  rubric_id: rowId,
  agent_id: rowId,
  evaluator_id: rowId,
  kind: z.enum(['standard', 'calibration']),
  status: evaluationStatus,
  revision: z.number().int().positive(),
  score: z.number().nullable(),
  raw_score: z.number().nullable(),
  passed: z.boolean().nullable(),
  critical_failed: z.boolean(),
  sections: z.array(sectionScoreSchema),
  comment: z.string().nullable(),
  time_spent_s: z.number().int().min(0),
  submitted_at: timestamp.nullable(),
  released_at: timestamp.nullable(),
  acknowledged_at: timestamp.nullable(),
  ack_comment: z.string().nullable(),
  updated_at: timestamp,
  coaching_task_id: rowId.nullable().optional().describe('when scoring: the coaching task a failing score made'),
});

export const evaluationDetailSchema = evaluationResponseSchema.extend({
  answers: z.array(
    z.object({
      item_id: rowId,
      value: z.string().describe('"yes", "no", "na", a scale number or a choice option id, as text'),
      points: z.number().nullable(),
      max_points: z.number().nullable(),
      comment: z.string().nullable(),
      at_s: z.number().nullable(),
    }),
  ),
});

export const evaluationPageSchema = pageOf(
  z.object({
    id: rowId,
    call_id: rowId,
    rubric_id: rowId,
    rubric: z.string().describe('name and version'),
    agent: z.string().describe('username of the CSR'),
    status: evaluationStatus,
    score: z.number().nullable(),
    passed: z.boolean().nullable(),
    critical_failed: z.boolean(),
    submitted_at: timestamp.nullable(),
    released_at: timestamp.nullable(),
    acknowledged_at: timestamp.nullable(),
  }),
);
