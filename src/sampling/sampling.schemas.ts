import { z } from 'zod';
import { checkbox } from '../lib/validation';

const blank = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

export const PLAN_FIELDS = [
  'per_csr',
  'period',
  'category',
  'min_duration_s',
  'direction',
  'risk_share_pct',
  'active',
] as const;

export const DEFAULT_PLAN = Object.freeze({ per_csr: 4, period: 'month' as const, risk_share_pct: 0, active: true });

export const planSchema = z.object({
  per_csr: z.preprocess(
    blank,
    z.coerce
      .number({ error: 'Enter how many evaluations each CSR gets per period.' })
      .int('Use a whole number of evaluations.')
      .min(1, 'At least 1 evaluation per CSR.')
      .max(100, 'At most 100 evaluations per CSR.'),
  ),
  period: z.enum(['week', 'month'], { error: 'Choose week or month.' }),
  category: z.preprocess(
    blank,
    z.string().trim().max(100, 'Category must be at most 100 characters.').nullable().default(null),
  ),
  min_duration_s: z.preprocess(
    blank,
    z.coerce
      .number({ error: 'Minimum length must be a number of seconds.' })
      .int('Use whole seconds.')
      .min(0, 'Minimum length cannot be negative.')
      .max(86_400, 'Minimum length is at most 86,400 seconds (a day).')
      .nullable()
      .default(null),
  ),
  direction: z.preprocess(
    blank,
    z.enum(['inbound', 'outbound'], { error: 'Direction is inbound, outbound or any.' }).nullable().default(null),
  ),
  risk_share_pct: z.preprocess(
    blank,
    z.coerce
      .number({ error: 'The share of picks from flagged calls must be a whole percentage.' })
      .int('Use a whole percentage.')
      .min(0, 'The share of picks from flagged calls is at least 0%.')
      .max(100, 'The share of picks from flagged calls is at most 100%.')
      .default(0),
  ),
  active: checkbox,
});

export type PlanInput = z.output<typeof planSchema>;

/** ?period=2026-11 or 2026-W48 on the plan and picks pages. */
export const periodKeyParam = z.string().regex(/^\d{4}-(\d{2}|W\d{2})$/);
