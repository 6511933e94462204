import { z } from 'zod';
import { Validation } from './errors';

/** Parses input with a schema or throws Validation listing each field's problem in plain words. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(body)',
    message: issue.message,
  }));
  throw new Validation(details);
}

/** Form fields arrive as strings; an empty field means "not given". */
export const blankToUndefined = (value: unknown) => (value === '' || value === null ? undefined : value);

export const optionalId = z.preprocess(
  blankToUndefined,
  z.coerce.number({ error: 'Choose one from the list.' }).int().positive().optional(),
);

export const requiredId = z.coerce.number({ error: 'Must be a number.' }).int('Must be a whole number.').positive();

export const checkbox = z
  .preprocess(
    (value) => (Array.isArray(value) ? value.at(-1) : value),
    z.union([z.boolean(), z.enum(['on', 'true', '1', 'false', '0', 'off'])]).optional(),
  )
  .transform((value) => value === true || value === 'on' || value === 'true' || value === '1');

export function text(label: string, max: number, min = 1) {
  return z
    .string({ error: `${label} is required.` })
    .trim()
    .min(min, min === 1 ? `${label} is required.` : `${label} needs at least ${min} characters.`)
    .max(max, `${label} must be at most ${max} characters.`);
}

/** A required text field in the form's own words: `missing` when absent or shorter than `min`, `tooLong` past `max`. */
export function requiredText(max: number, missing: string, tooLong: string, min = 1) {
  return z.string({ error: missing }).trim().min(min, missing).max(max, tooLong);
}

/** A limit and the form's words for a value past it. */
type Bound = [limit: number, refusal: string];

/** A number field (forms send text) from `min` to `max`, each refusal in the form's own words. */
export function numberIn(notANumber: string, [min, tooLow]: Bound, [max, tooHigh]: Bound) {
  return z.coerce.number({ error: notANumber }).min(min, tooLow).max(max, tooHigh);
}

/** A whole-number field from `min` to `max`; a fraction is refused in the same words as a non-number. */
export function wholeNumberIn(notWhole: string, [min, tooLow]: Bound, [max, tooHigh]: Bound) {
  return z.coerce.number({ error: notWhole }).int(notWhole).min(min, tooLow).max(max, tooHigh);
}

/** Route parameter ids: anything but a positive integer is simply not found. */
export function parseIdParam(value: unknown): number | null {
  if (typeof value !== 'string' || !/^[1-9]\d{0,15}$/.test(value)) return null;
  return Number(value);
}

/** Whether YYYY-MM-DD names a day on the calendar (2026-02-30 and 2026-13-45 do not). */
export function isCalendarDate(value: string): boolean {
  const day = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === value;
}
