import { z } from 'zod';
import { dateBound } from '../lib/date-range';
import { blankToUndefined, text } from '../lib/validation';
import { pageOf, timestamp } from '../lib/openapi';
import { CALL_FIGURES } from '../db/schema';

const seconds = (label: string) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: `${label} must be a number of seconds.` })
      .min(0, `${label} cannot be negative.`)
      .max(7 * 86_400, `${label} is longer than a week.`)
      .optional(),
  );

const flag = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
  z
    .union([z.boolean(), z.enum(['', 'true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])], {
      error: 'abandoned must be true or false.',
    })
    .optional()
    .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes' || v === 'on'),
);

/** An ISO-8601 date and time with a zone (Z or ±hh:mm), stored in UTC. */
export const isoDateTime = z
  .string({ error: 'started_at is required (ISO-8601, e.g. 2026-11-02T09:00:00Z).' })
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/, {
    message: 'Use an ISO-8601 date and time with a zone, e.g. 2026-11-02T09:00:00Z.',
  })
  .transform((value, ctx) => {
    const ms = Date.parse(value.replace(' ', 'T'));
    // Date.parse rolls 2026-02-30 over to March; a date that is not on the calendar is refused instead.
    // The pattern above fixed where the year, month and day stand.
    const year = Number(value.slice(0, 4));
    const month = Number(value.slice(5, 7));
    const day = Number(value.slice(8, 10));
    const calendar = new Date(Date.UTC(year, month - 1, day));
    if (Number.isNaN(ms) || month < 1 || month > 12 || calendar.getUTCDate() !== day) {
      ctx.addIssue({ code: 'custom', message: 'That date does not exist.' });
      return z.NEVER;
    }
    return new Date(ms).toISOString();
  });

const optionalText = (label: string, max: number) =>
  z.preprocess(blankToUndefined, z.string().trim().max(max, `${label} must be at most ${max} characters.`).optional());

export const callFieldsSchema = z
  .object({
    external_id: text('external_id', 200),
    source: optionalText('source', 100),
    agent: optionalText('agent', 64),
    team_id: z.preprocess(
      blankToUndefined,
      z.coerce.number({ error: 'team_id must be a number.' }).int().positive().optional(),
    ),
    queue: optionalText('queue', 100),
    started_at: isoDateTime,
    direction: z.preprocess(
      (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : v),
      z.enum(['inbound', 'outbound'], { error: 'direction must be inbound or outbound.' }).default('inbound'),
    ),
    category: optionalText('category', 100),
    queue_wait_s: seconds('queue_wait_s'),
    hold_s: seconds('hold_s'),
    duration_s: seconds('duration_s'),
    csat: z.preprocess(
      blankToUndefined,
      z.coerce
        .number({ error: 'csat must be a whole number from 1 to 5.' })
        .int('csat must be a whole number from 1 to 5.')
        .min(1, 'csat must be from 1 to 5.')
        .max(5, 'csat must be from 1 to 5.')
        .optional(),
    ),
    abandoned: flag,
  })
  .superRefine((call, ctx) => {
    if (call.abandoned && call.direction !== 'inbound') {
      ctx.addIssue({ code: 'custom', path: ['direction'], message: 'Only inbound calls can be abandoned.' });
    }
    if (!call.abandoned && !call.agent) {
      ctx.addIssue({
        code: 'custom',
        path: ['agent'],
        message: 'agent (a username) is required unless the call was abandoned.',
      });
    }
    if (call.abandoned && call.agent) {
      ctx.addIssue({ code: 'custom', path: ['agent'], message: 'An abandoned call has no agent.' });
    }
  });
export type CallFields = z.output<typeof callFieldsSchema>;

export const CALL_FIELD_NAMES = [
  'external_id',
  'source',
  'agent',
  'team_id',
  'queue',
  'started_at',
  ...CALL_FIGURES,
] as const;

export const REQUIRED_CSV_COLUMNS = ['external_id', 'agent', 'started_at', 'direction', 'duration_s'] as const;

export const SORTS = ['started_at', 'duration_s', 'hold_s', 'queue_wait_s', 'csat'] as const;
export type CallSort = (typeof SORTS)[number];

const date = z.preprocess(blankToUndefined, dateBound.optional());
const num = (label: string) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: `${label} must be a number.` })
      .min(0, `${label} cannot be negative.`)
      .optional(),
  );

const share = (label: string) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: `${label} must be a number from 0 to 1.` })
      .min(0, `${label} is at least 0.`)
      .max(1, `${label} is at most 1 (all the talking).`)
      .optional(),
  );

export const callListSchema = z.object({
  team_id: z.preprocess(blankToUndefined, z.coerce.number().int().positive().optional()),
  agent: optionalText('agent', 64),
  from: date,
  to: date,
  category: optionalText('category', 100),
  topic: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'Choose a topic from the list.' })
      .int('Choose a topic from the list.')
      .positive('Choose a topic from the list.')
      .optional(),
  ),
  direction: z.preprocess(blankToUndefined, z.enum(['inbound', 'outbound']).optional()),
  evaluated: z.preprocess(blankToUndefined, z.enum(['true', 'false']).optional()),
  min_duration: num('Minimum duration'),
  max_duration: num('Maximum duration'),
  min_hold: num('Minimum hold'),
  max_hold: num('Maximum hold'),
  recording: z.preprocess(blankToUndefined, z.enum(['with', 'without']).optional()),
  analysis: z.preprocess(blankToUndefined, z.enum(['done', 'pending', 'failed']).optional()),
  min_talk_ratio: share('The lowest agent talk ratio'),
  max_talk_ratio: share('The highest agent talk ratio'),
  min_dead_air: num('The longest dead air'),
  min_overtalk: num('The overtalk'),
  transcript: z.preprocess(
    blankToUndefined,
    z.enum(['with', 'without'], { error: 'Transcript is "with" or "without".' }).optional(),
  ),
  days: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'Last … days must be a whole number of days.' })
      .int('Last … days must be a whole number of days.')
      .min(1, 'Last … days is at least 1.')
      .max(366, 'Last … days is at most 366.')
      .optional(),
  ),
  sort: z.preprocess(
    blankToUndefined,
    z.enum(SORTS, { error: 'Sort by start time, duration, hold, queue wait or CSAT.' }).default('started_at'),
  ),
  order: z.preprocess(
    blankToUndefined,
    z.enum(['asc', 'desc'], { error: 'Order is ascending (asc) or descending (desc).' }).default('desc'),
  ),
  cursor: optionalText('cursor', 200),
  limit: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(500).default(50)),
});
export type CallListQuery = z.output<typeof callListSchema>;

// What the API answers for a call (the OpenAPI document's response schemas; test/api checks real answers).
const rowId = z.number().int().positive();

export const callSummaryResponseSchema = z.object({
  id: rowId,
  source: z.string(),
  external_id: z.string(),
  agent: z.string().nullable().describe('username of the CSR; null for abandoned calls'),
  agent_id: rowId.nullable(),
  team_id: rowId.nullable(),
  started_at: timestamp,
  direction: z.enum(['inbound', 'outbound']),
  category: z.string().nullable(),
  queue_wait_s: z.number().min(0),
  hold_s: z.number().min(0),
  duration_s: z.number().min(0),
  csat: z.number().int().min(1).max(5).nullable(),
  abandoned: z.boolean(),
  evaluated: z.boolean(),
  recording_status: z.enum(['stored', 'missing', 'deleted']).nullable(),
  recording_url: z.string().nullable(),
});

export const callResponseSchema = callSummaryResponseSchema.extend({
  queue: z.string().nullable(),
  recording: z
    .object({
      status: z.enum(['stored', 'missing', 'deleted']),
      mime: z.string().nullable(),
      bytes: z.number().int().nullable(),
      sha256: z.string().nullable(),
      codec: z.string().nullable(),
      channels: z.number().int().nullable(),
      sample_rate: z.number().int().nullable(),
      duration_s: z.number().nullable(),
      original_name: z.string().nullable(),
      deleted_at: timestamp.nullable(),
    })
    .nullable(),
  transcript: z
    .object({
      format: z.enum(['vtt', 'text']),
      source: z
        .enum(['stt'])
        .nullable()
        .describe('"stt" when a speech-to-text engine wrote it; null when the phone system or a person did'),
      cues: z.array(
        z.object({
          start_s: z.number().describe('Seconds from the start of the call; -1 on an untimed (plain text) line'),
          end_s: z.number(),
          speaker: z.string().nullable().describe('The speaker as the transcript names them'),
          side: z.enum(['agent', 'customer']).nullable().describe('The side that speaker is on; null when unnamed'),
          text: z.string(),
        }),
      ),
    })
    .nullable(),
  created_at: timestamp,
});

export const callPageSchema = pageOf(callSummaryResponseSchema);

export const importSummarySchema = z.object({
  created: z.number().int().min(0),
  unchanged: z.number().int().min(0),
  errors: z.array(z.object({ line: z.number().int().positive(), message: z.string() })),
});

export const transcriptResultSchema = z.object({
  call_id: z.number().int(),
  source: z.enum(['vtt', 'srt', 'json', 'text']).describe('The format the transcript came in'),
  cues: z.number().int().min(1).describe('How many lines it has'),
  replaced: z.boolean().describe('Whether it replaced an earlier transcript (then the answer is 200, else 201)'),
});

export const savedViewSchema = z.object({
  name: text('A name for the view', 60),
  query: z.preprocess(
    (v) => (typeof v === 'string' ? v.replace(/^\?/, '') : ''),
    z.string().max(1000, 'That view has too many filters to save.'),
  ),
});
