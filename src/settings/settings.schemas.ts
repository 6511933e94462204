import { z } from 'zod';

// The settings as the API reads and writes them (API.md, wave 2). The service level target is a share (0..1)
// here and a percentage on the page; the rest are the same values the settings page edits.

export const settingsResponseSchema = z.object({
  service_level_threshold_s: z.number().int().min(1),
  service_level_target: z.number().min(0).max(1),
  agent_channel: z.enum(['left', 'right']).describe('the stereo channel that carries the agent'),
  dead_air_min_s: z.number().min(0).describe('the shortest stretch with neither side speaking that is dead air'),
  time_zone: z.string().describe("the center's IANA time zone: every day, week and month in reports is a local one"),
  after_call_work_s: z.number().int().min(0).describe('seconds of after-call work added to talk and hold (staffing)'),
  forecast_weeks: z.number().int().min(1).describe('weeks the staffing forecast averages over'),
  recording_retention_days: z.number().int().min(0).describe('days recordings are kept (0: forever)'),
  coaching_due_days: z.number().int().min(1).describe('days after which a coaching task is due (local days)'),
  recognition_min_evaluations: z.number().int().min(1).describe('scorecards an agent needs to be recognised'),
  pbx_inbound_contexts: z
    .array(z.string())
    .describe('dialplan contexts (Asterisk, FreeSWITCH) in which a call is inbound'),
  transcript_agent_names: z.array(z.string()).describe('speaker names read as the agent in a transcript'),
  transcript_customer_names: z.array(z.string()).describe('speaker names read as the customer in a transcript'),
  risk_dead_air_s: z.number().min(1).max(600).describe('a call whose longest dead air is over this is flagged'),
  risk_overtalk_s: z.number().min(0.5).max(600).describe('a call with more overtalk in all than this is flagged'),
  risk_low_csat_max: z.number().int().min(1).max(4).describe('a call with CSAT (1-5) at or below this is flagged'),
});

/** A list of names or contexts, stored comma-separated: so no item may hold a comma. */
function nameArray(what: string, pattern: RegExp, example: string) {
  return z
    .array(
      z
        .string({ error: `Each ${what} is a string.` })
        .trim()
        .min(1, `A ${what} may not be blank.`)
        .max(80, `A ${what} is at most 80 characters.`)
        .regex(pattern, `A ${what} has no commas${pattern === CONTEXT ? ' or spaces' : ''}, like ${example}.`),
      { error: `Give the ${what}s as a list, like ["${example}"].` },
    )
    .min(1, `List at least one ${what}.`)
    .max(30, `At most 30 ${what}s.`)
    .optional();
}

const CONTEXT = /^[A-Za-z0-9_.+@-]+$/;
const NAME = /^[^,]+$/;

export const settingsPatchSchema = z.strictObject({
  service_level_threshold_s: z.number({ error: 'Give a whole number of seconds.' }).optional(),
  service_level_target: z
    .number({ error: 'Give the target as a share between 0.01 and 1 (0.85 is 85%).' })
    .min(0.01, 'The target is at least 0.01 (1%).')
    .max(1, 'The target is at most 1 (100%).')
    .optional(),
  agent_channel: z.enum(['left', 'right'], { error: 'The agent is on the "left" or the "right" channel.' }).optional(),
  dead_air_min_s: z.number({ error: 'Give the shortest dead air in seconds.' }).optional(),
  time_zone: z
    .string({ error: 'Give the time zone as an IANA name, like America/New_York.' })
    .max(64, 'A time zone name is at most 64 characters.')
    .optional(),
  after_call_work_s: z.number({ error: 'Give the after-call work in whole seconds.' }).optional(),
  forecast_weeks: z.number({ error: 'Give the forecast weeks as a whole number.' }).optional(),
  recording_retention_days: z.number({ error: 'Give the retention in whole days (0 keeps forever).' }).optional(),
  coaching_due_days: z.number({ error: 'Give the coaching due time in whole days.' }).optional(),
  recognition_min_evaluations: z.number({ error: 'Give the minimum as a whole number.' }).optional(),
  pbx_inbound_contexts: nameArray('context', CONTEXT, 'from-trunk'),
  transcript_agent_names: nameArray('name', NAME, 'Agent'),
  transcript_customer_names: nameArray('name', NAME, 'Customer'),
  risk_dead_air_s: z
    .number({ error: 'Give the dead-air limit in seconds, between 1 and 600.' })
    .min(1, 'The dead-air limit is at least 1 second.')
    .max(600, 'The dead-air limit is at most 600 seconds.')
    .optional(),
  risk_overtalk_s: z
    .number({ error: 'Give the overtalk limit in seconds, between 0.5 and 600.' })
    .min(0.5, 'The overtalk limit is at least 0.5 seconds.')
    .max(600, 'The overtalk limit is at most 600 seconds.')
    .optional(),
  risk_low_csat_max: z
    .number({ error: 'Give the low CSAT as a whole number from 1 to 4.' })
    .int('The low CSAT must be a whole number from 1 to 4.')
    .min(1, 'The low CSAT is at least 1.')
    .max(4, 'The low CSAT is at most 4 (a 5 of 5 is never low).')
    .optional(),
});
