import fs from 'node:fs';
import path from 'node:path';

// The recordings inbox's settings (RECORDINGS_INBOX, RECORDINGS_INBOX_PATTERN, RECORDINGS_INBOX_HOLD_H,
// RECORDINGS_INBOX_STABLE_S, RECORDINGS_INBOX_SWEEP_S), read once at start; a bad value stops start-up with its name.

/**
 * FreePBX/Asterisk MixMonitor's names: `<direction>-<to>-<from>-YYYYMMDD-HHMMSS-<uniqueid>.<ext>`, e.g.
 * `in-2001-5551234-20261204-101500-1733307300.42.wav` (the uniqueid is the recording leg's: seconds.sequence).
 */
export const MIXMONITOR_PATTERN =
  '^(?<direction>[A-Za-z]+)-(?<to>.*)-(?<from>.*)-(?<date>\\d{8})-(?<time>\\d{6})-(?<uniqueid>\\d+\\.\\d+)\\.(?<ext>[A-Za-z0-9]+)$';

/**
 * FreeSWITCH's recordings named by the channel's uuid, as `record_session` is usually given it:
 * `$${recordings_dir}/${uuid}.wav` (FusionPBX's `${uuid}.${record_ext}`) or
 * `${strftime(%Y-%m-%d-%H-%M-%S)}_${uuid}.wav`: the last uuid (8-4-4-4-12 hex) before the extension, after
 * the start of the name or a `_`, `.` or `-`. The FreeSWITCH import keeps each leg's uuid, so either leg's matches.
 */
export const FREESWITCH_PATTERN =
  '^(?:.*[_.-])?(?<uniqueid>[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\\.(?<ext>[A-Za-z0-9]+)$';

/** RECORDINGS_INBOX_PATTERN's named presets; anything else is a regular expression. */
export const INBOX_PATTERN_PRESETS: Readonly<Record<string, string>> = Object.freeze({
  asterisk: MIXMONITOR_PATTERN,
  freeswitch: FREESWITCH_PATTERN,
});

export interface InboxConfig {
  /** The folder the phone system writes recordings into (absolute). */
  readonly dir: string;
  /** A file name's pattern, with a named group `uniqueid`. */
  readonly pattern: RegExp;
  /** How long a file with no call record is held before it is reported unmatched. */
  readonly holdMs: number;
  /** A file is taken once its size and modification time have held this long (across two sweeps). */
  readonly stableMs: number;
  /** How often the running server sweeps the folder (a minute; shorter in tests). */
  readonly sweepMs: number;
}

export class InboxConfigError extends Error {}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new InboxConfigError(`${name}: must be a number from ${min} to ${max}`);
  }
  return value;
}

function pattern(raw: string | undefined): RegExp {
  const source = raw === undefined || raw === '' ? MIXMONITOR_PATTERN : (INBOX_PATTERN_PRESETS[raw] ?? raw);
  let regex: RegExp;
  try {
    regex = new RegExp(source);
  } catch (err) {
    throw new InboxConfigError(`RECORDINGS_INBOX_PATTERN: not a regular expression (${(err as Error).message})`);
  }
  if (!source.includes('(?<uniqueid>')) {
    throw new InboxConfigError('RECORDINGS_INBOX_PATTERN: must have a named group (?<uniqueid>…)');
  }
  return regex;
}

/** The inbox's settings, or null when RECORDINGS_INBOX is not set (the inbox is off). */
export function loadInboxConfig(env: NodeJS.ProcessEnv): InboxConfig | null {
  const raw = env.RECORDINGS_INBOX;
  if (raw === undefined || raw === '') return null;
  const dir = path.resolve(raw);
  const isDir = fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false;
  if (!isDir) throw new InboxConfigError('RECORDINGS_INBOX: must be an existing folder');
  return Object.freeze({
    dir,
    pattern: pattern(env.RECORDINGS_INBOX_PATTERN),
    holdMs: number(env, 'RECORDINGS_INBOX_HOLD_H', 24, 0, 24 * 90) * 3_600_000,
    stableMs: number(env, 'RECORDINGS_INBOX_STABLE_S', 10, 0, 3600) * 1000,
    sweepMs: number(env, 'RECORDINGS_INBOX_SWEEP_S', 60, 1, 3600) * 1000,
  });
}
