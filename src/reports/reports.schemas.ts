import { z } from 'zod';
import { dateBound } from '../lib/date-range';
import { blankToUndefined } from '../lib/validation';

// What every report reads from its query string (the pages, the CSVs and the API; the OpenAPI document's
// parameters are generated from it).
const day = z
  .preprocess(blankToUndefined, dateBound.optional())
  .describe(`${String(dateBound.description)}; the last 30 days (scores: 90) by default`);

export const reportQuerySchema = z.object({
  from: day,
  to: day,
  team_id: z.preprocess(blankToUndefined, z.coerce.number().int().positive().optional()),
  agent: z.preprocess(blankToUndefined, z.string().trim().max(64).optional()).describe('username'),
  group: z.preprocess(blankToUndefined, z.enum(['day', 'week']).default('week')),
  interval: z
    .preprocess(
      blankToUndefined,
      z.enum(['15m', '30m', '60m', 'day', 'week'], { error: 'The interval is 15m, 30m, 60m, day or week.' }).optional(),
    )
    .describe('service level: local intervals of 15, 30 or 60 minutes, or days or weeks (then as `group`)'),
  threshold_s: z.preprocess(
    blankToUndefined,
    z.coerce.number().int().min(1, 'The threshold is at least 1 second.').max(3600).optional(),
  ),
});

// What the report API answers (the OpenAPI document's response schemas; test/api checks real answers).
const count = z.number().int().min(0);
const rate = z.number().min(0).max(1).nullable().describe('0..1; null when nothing was counted');
const date = z.string().describe('the `from` or `to` the range was read from: a date (2026-11-02) or a date-time');
const interval = z.array(z.number()).length(2).nullable().describe('95% interval of the average: [low, high]');

/** Calls offered, answered within the threshold and abandoned: in a whole range, a period and an interval alike. */
const answeredFigures = { offered: count, answered_within: count, abandoned: count, service_level: rate };

const serviceLevelFigures = {
  ...answeredFigures,
  abandon_rate: rate,
  avg_queue_wait_s: z.number().nullable(),
  avg_hold_s: z.number().nullable(),
};

export const serviceLevelReportSchema = z.object({
  from: date,
  to: date,
  threshold_s: z.number().int().positive(),
  ...serviceLevelFigures,
  target: z.number().min(0).max(1),
  periods: z.array(
    z.object({ bucket: z.string().describe('the day or week'), answered: count, ...serviceLevelFigures }),
  ),
  interval: z.enum(['15m', '30m', '60m', 'day', 'week']).optional().describe('the `interval` asked for'),
  time_zone: z.string().optional().describe("the center's IANA time zone the buckets are local to"),
  buckets: z
    .array(
      z.object({
        start: z.string().describe('ISO-8601 date-time with the center offset (2026-11-02T09:30:00-05:00)'),
        ...answeredFigures,
        avg_wait_s: z.number().nullable(),
        avg_hold_s: z.number().nullable(),
        aht_s: z.number().nullable().optional().describe('intervals: talk + hold + after-call work setting'),
        agents_needed: count.optional().describe('intervals: agents Erlang C needs to meet the target'),
      }),
    )
    .optional()
    .describe('with `interval`: minute intervals that had calls, or every day or week of the range'),
});

export const scoreReportSchema = z.object({
  from: date,
  to: date,
  count,
  average: z.number().nullable(),
  ci95: interval,
  pass_rate: rate,
  critical_fails: count,
  periods: z.array(
    z.object({ period: z.string(), count, average: z.number().nullable(), ci95: interval, pass_rate: rate }),
  ),
  items: z.array(
    z.object({
      rubric: z.string(),
      item: z.string(),
      critical: z.boolean(),
      answered: count,
      failed: count,
      failure_rate: rate,
    }),
  ),
});
