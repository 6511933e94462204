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
});

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
});
