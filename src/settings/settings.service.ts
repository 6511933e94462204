import { z } from 'zod';
import { recordAudit } from '../audit';
import type { DB } from '../db/database';
import { inTransaction, type Executor } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { numberIn, parseInput, wholeNumberIn } from '../lib/validation';
import { canonicalTimeZone } from '../lib/zones';
import type { Actor } from '../policy';
import { DEFAULT_AGENT_NAMES, DEFAULT_CUSTOMER_NAMES, nameList } from '../recordings';
import { writeSetting } from '../lib/settings-store.queries';
import { settingRows } from './settings.queries';

/** An IANA time zone name, stored in its canonical spelling; an unknown one is refused in plain words. */
const timeZoneSchema = z
  .string({ error: 'Give the time zone as an IANA name, like America/New_York or Asia/Kolkata.' })
  .trim()
  .transform((name, ctx) => {
    const zone = canonicalTimeZone(name);
    if (zone) return zone;
    ctx.addIssue({
      code: 'custom',
      message: `"${name.slice(0, 64)}" is not a time zone we know. Use an IANA name, like America/New_York or Asia/Kolkata.`,
    });
    return z.NEVER;
  });

// Settings an admin changes at run time (environment variables cover what needs a restart).
function speakerNames(side: string) {
  return z
    .string({ error: `List the ${side}'s names, separated by commas.` })
    .trim()
    .max(500, 'At most 500 characters.')
    .refine((value) => nameList(value).length > 0, `List at least one name for the ${side}.`)
    .transform((value) => nameList(value).join(', '));
}

/** The review queue's risk flags (src/risk): a call is flagged over these limits. */
const riskLimitFields = {
  risk_dead_air_s: numberIn(
    'The dead-air limit must be a number of seconds.',
    [1, 'The dead-air limit is at least 1 second.'],
    [600, 'The dead-air limit is at most 600 seconds.'],
  ),
  risk_overtalk_s: numberIn(
    'The overtalk limit must be a number of seconds.',
    [0.5, 'The overtalk limit is at least 0.5 seconds.'],
    [600, 'The overtalk limit is at most 600 seconds.'],
  ),
  risk_low_csat_max: wholeNumberIn(
    'The low CSAT must be a whole number from 1 to 4.',
    [1, 'The low CSAT is at least 1.'],
    [4, 'The low CSAT is at most 4 (a 5 of 5 is never low).'],
  ),
};

const settingsSchema = z.object({
  recording_retention_days: wholeNumberIn(
    'Retention must be a whole number of days.',
    [0, 'Retention cannot be negative (0 keeps recordings forever).'],
    [36_500, 'Retention is at most 36,500 days.'],
  ),
  coaching_due_days: wholeNumberIn(
    'Coaching due time must be a whole number of days.',
    [1, 'Coaching is due after at least 1 day.'],
    [90, 'Coaching is due within 90 days at most.'],
  ),
  service_level_target_pct: numberIn(
    'The service level target must be a number.',
    [1, 'The target is at least 1%.'],
    [100, 'The target is at most 100%.'],
  ),
  service_level_threshold_s: wholeNumberIn(
    'The answer threshold must be a whole number of seconds.',
    [1, 'At least 1 second.'],
    [3600, 'At most an hour.'],
  ),
  recognition_min_evaluations: wholeNumberIn(
    'The minimum must be a whole number.',
    [1, 'At least 1 evaluation.'],
    [100, 'At most 100 evaluations.'],
  ),
  agent_channel: z.enum(['left', 'right'], { error: 'The agent is on the left or the right channel.' }),
  dead_air_min_s: numberIn(
    'The shortest dead air must be a number of seconds.',
    [0.5, 'Dead air is at least 0.5 seconds long.'],
    [600, 'Dead air is at most 600 seconds long.'],
  ),
  transcript_agent_names: speakerNames('agent'),
  transcript_customer_names: speakerNames('customer'),
  pbx_inbound_contexts: z
    .string({ error: 'List the inbound contexts, separated by commas.' })
    .max(500, 'At most 500 characters.')
    .transform((value) => contextList(value).join(', '))
    .refine((value) => value !== '', 'List at least one inbound context (e.g. from-trunk).'),
  time_zone: timeZoneSchema,
  after_call_work_s: wholeNumberIn(
    'After-call work must be a whole number of seconds.',
    [0, 'After-call work cannot be negative.'],
    [3600, 'After-call work is at most 3,600 seconds.'],
  ),
  forecast_weeks: wholeNumberIn(
    'The forecast needs a whole number of weeks.',
    [1, 'The forecast looks back at least 1 week.'],
    [26, 'The forecast looks back at most 26 weeks.'],
  ),
  ...riskLimitFields,
});

/** A comma-separated list of dialplan contexts, trimmed, without blanks or repeats. */
export function contextList(value: string): string[] {
  return [
    ...new Set(
      value
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
    ),
  ];
}

export type Settings = z.output<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = Object.freeze({
  recording_retention_days: 0,
  coaching_due_days: 7,
  recognition_min_evaluations: 3,
  service_level_target_pct: 85,
  service_level_threshold_s: 30,
  agent_channel: 'left',
  dead_air_min_s: 2,
  transcript_agent_names: DEFAULT_AGENT_NAMES,
  transcript_customer_names: DEFAULT_CUSTOMER_NAMES,
  // FreePBX/Asterisk trunks and queues, and FreeSWITCH's public context: calls entering there are inbound.
  pbx_inbound_contexts: 'from-trunk, from-pstn, from-did-direct, from-external, ext-queues, public',
  time_zone: 'UTC',
  after_call_work_s: 30,
  forecast_weeks: 4,
  // The risk flags' limits (src/risk): dead air over 10 s, overtalk over 5 s, CSAT 2 or below.
  risk_dead_air_s: 10,
  risk_overtalk_s: 5,
  risk_low_csat_max: 2,
});

const KEYS = Object.keys(DEFAULT_SETTINGS) as Array<keyof Settings>;

/** The last stored rows and what they parsed to: the rows are read every time, parsed again only when they change. */
let lastParsed: { rows: string; settings: Readonly<Settings> } | null = null;

export async function getSettings(db: Executor): Promise<Settings> {
  const rows = await settingRows(db, KEYS);
  const key = JSON.stringify(rows.map((r) => [r.key, r.value]));
  if (lastParsed?.rows !== key) {
    const stored = Object.fromEntries(rows.map((r) => [r.key, r.value]));
    const parsed = settingsSchema.safeParse({ ...DEFAULT_SETTINGS, ...stored });
    lastParsed = { rows: key, settings: Object.freeze(parsed.success ? parsed.data : { ...DEFAULT_SETTINGS }) };
  }
  // A copy: callers may spread or change what they get.
  return { ...lastParsed.settings };
}

export async function saveSettings(deps: AppDeps, actor: Actor, raw: unknown, ip?: string): Promise<Settings> {
  const before = await getSettings(deps.db);
  // Fields left out keep their current value.
  const given = Object.fromEntries(
    Object.entries((raw ?? {}) as Record<string, unknown>).filter(([, v]) => v !== undefined),
  );
  const input = parseInput(settingsSchema, { ...before, ...given });
  const now = isoNow(deps.clock);
  await inTransaction(deps.db, async (trx) => {
    for (const key of KEYS) await writeSetting(trx, key, String(input[key]));
    await recordAudit(trx, now, {
      actorId: actor.id,
      action: 'settings.updated',
      details: { before, after: input },
      ip,
    });
  });
  return input;
}

/** What a phone system's records need from the settings: the inbound contexts and the center's time zone. */
export async function pbxImportSettings(db: DB): Promise<{ inboundContexts: string[]; timeZone: string }> {
  const settings = await getSettings(db);
  // The time zone setting (wave 2) is read by key, so the import follows it once it is set.
  const [zone] = await settingRows(db, ['time_zone']);
  return { inboundContexts: contextList(settings.pbx_inbound_contexts), timeZone: validZone(zone?.value) };
}

function validZone(zone: string | undefined): string {
  if (!zone) return 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return 'UTC';
  }
}
