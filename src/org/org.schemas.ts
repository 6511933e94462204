import { z } from 'zod';
import { requiredId, text } from '../lib/validation';

const usernameRef = z.string().trim().min(1).max(64);
const budgetCents = z.coerce
  .number({ error: 'Budget must be a number of cents.' })
  .int('Budget must be whole cents.')
  .min(0, 'Budget cannot be negative.')
  .max(1_000_000_000_00, 'Budget is too large.');

export const departmentSchema = z.object({
  name: text('Department name', 100),
  manager: z.preprocess((v) => (v === '' ? undefined : v), usernameRef.optional().nullable()),
  budget_cents: budgetCents.default(0),
  budget_period: z
    .enum(['month', 'quarter', 'year'], { error: 'Budget period is month, quarter or year.' })
    .default('quarter'),
});
export type DepartmentInput = z.output<typeof departmentSchema>;

export const teamSchema = z.object({
  name: text('Team name', 100),
  department_id: requiredId,
  supervisors: z
    .preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(usernameRef).max(50))
    .default([]),
});
export type TeamInput = z.output<typeof teamSchema>;

/** Budget entered on a form in currency units ("1250.50") rather than cents. */
export function amountToCents(value: unknown): unknown {
  if (typeof value !== 'string' || value.trim() === '') return value;
  const match = /^\s*(\d{1,12})(?:[.,](\d{1,2}))?\s*$/.exec(value);
  if (!match) return Number.NaN;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}
