import { z } from 'zod';
import { pageOf, timestamp } from '../lib/openapi';

const blankToNull = (v: unknown) => (v === '' || v === undefined ? null : v);

const cents = z
  .number({ error: 'cost_cents must be a whole number of cents.' })
  .int('cost_cents must be a whole number of cents.')
  .min(0, 'cost_cents cannot be negative.')
  .max(100_000_000, 'cost_cents is too large.');

export const groupRuleSchema = z
  .discriminatedUnion(
    'type',
    [
      z.object({
        type: z.literal('every_n_free'),
        n: z.number().int('n is a whole number.').min(2, 'n is at least 2.').max(100),
      }),
      z.object({
        type: z.literal('percent_off'),
        min_seats: z.number().int().min(1, 'min_seats is at least 1.').max(1000),
        percent: z.number().gt(0, 'percent is more than 0.').max(100, 'percent is at most 100.'),
      }),
    ],
    { error: 'group_rule is null, {"type":"every_n_free","n":…} or {"type":"percent_off","min_seats":…,"percent":…}.' },
  )
  .nullable()
  .default(null);

export const courseSchema = z.object({
  title: z.string({ error: 'The course needs a title.' }).trim().min(1, 'The course needs a title.').max(200),
  description: z.preprocess(blankToNull, z.string().trim().max(5000).nullable()).default(null),
  provider: z.preprocess(blankToNull, z.string().trim().max(200).nullable()).default(null),
  duration_minutes: z.preprocess(blankToNull, z.number().int().min(1).max(100_000).nullable()).default(null),
  cost_cents: cents,
  group_rule: groupRuleSchema,
});
export type CourseInput = z.output<typeof courseSchema>;

/** A CSR takes one seat in a booking: naming one twice (in any letter case) is a mistake, refused at its place. */
function namedOnce(agents: string[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  agents.forEach((name, index) => {
    const key = name.toLowerCase();
    if (seen.has(key)) {
      ctx.addIssue({
        code: 'custom',
        path: [index],
        message: `${name} is named twice: each CSR takes one seat in a booking.`,
      });
    }
    seen.add(key);
  });
}

export const bookingSchema = z.object({
  course_id: z.number({ error: 'Choose a course.' }).int().positive(),
  agents: z
    .array(z.string().trim().min(1).max(64), { error: 'Choose at least one CSR.' })
    .min(1, 'Choose at least one CSR.')
    .max(500, 'At most 500 CSRs in one booking.')
    .superRefine(namedOnce),
  due_at: z
    .string({ error: 'Give a due date.' })
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/, 'Use a date like 2026-12-31.'),
  override_budget: z.boolean().default(false),
  allow_rebook: z
    .boolean()
    .default(false)
    .describe(
      'Book CSRs who already hold an open seat (assigned or in progress) for this course again. Without it such a booking is refused with 409 already_booked naming them.',
    ),
  idempotency_key: z.string().trim().min(8).max(100).optional(),
});
export type BookingInput = z.output<typeof bookingSchema>;

// What the API answers (the OpenAPI document's response schemas; test/api checks real answers against them).
const rowId = z.number().int().positive();

export const courseResponseSchema = z.object({
  id: rowId,
  title: z.string(),
  description: z.string().nullable(),
  provider: z.string().nullable(),
  duration_minutes: z.number().int().nullable(),
  cost_cents: z.number().int().min(0),
  group_rule: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('every_n_free'), n: z.number().int().nullable() }),
      z.object({
        type: z.literal('percent_off'),
        min_seats: z.number().int().nullable(),
        percent: z.number().nullable(),
      }),
    ])
    .nullable(),
  group_rule_text: z.string().nullable(),
  retired: z.boolean(),
  retired_at: timestamp.nullable(),
});

export const coursePageSchema = pageOf(courseResponseSchema);

export const bookingResponseSchema = z.object({
  id: rowId,
  seats: z.number().int().positive(),
  free_seats: z.number().int().min(0),
  price_per_seat_cents: z.number().int().min(0),
  total_cents: z.number().int().min(0),
  budget_left_cents: z.number().int(),
  over_budget: z.boolean(),
});
