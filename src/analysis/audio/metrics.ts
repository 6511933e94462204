// From frame levels to the figures of DOMAIN.md "Automatic analysis": speech per side, talk ratio, overtalk and
// dead air. docs/ANALYSIS.md explains every constant below.
import type { AudioAnalysis, Segment } from './types';

/** The noise floor is this low percentile of a channel's frame levels. */
export const FLOOR_PERCENTILE = 0.05;
/** Speech starts this far above the noise floor... */
export const SPEECH_ABOVE_FLOOR_DB = 12;
/** ...and never below this absolute level, so a silent or near-silent channel has no speech at all. */
export const MIN_SPEECH_DB = -50;
/** Once speech has started it goes on until the level falls this far below the start threshold (hysteresis). */
export const HYSTERESIS_DB = 6;
/** Pauses shorter than this inside speech are speech (DOMAIN.md). */
export const BRIDGE_S = 0.3;
/** Sound shorter than this (a click, a bump of the handset) is not speech. */
export const MIN_SPEECH_S = 0.15;
/** Both sides at once for less than this is not counted as overtalk (a shared word edge, not talking over). */
export const MIN_OVERTALK_S = 0.1;

export interface ChannelLevels {
  levels: Float32Array;
  frameS: number;
}

function percentile(levels: Float32Array, p: number): number {
  if (levels.length === 0) return MIN_SPEECH_DB;
  const sorted = levels.slice().sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? MIN_SPEECH_DB;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Speech stretches of one channel: threshold with hysteresis, short pauses bridged, short blips dropped. */
export function detectSpeech({ levels, frameS }: ChannelLevels): Segment[] {
  const start = Math.max(percentile(levels, FLOOR_PERCENTILE) + SPEECH_ABOVE_FLOOR_DB, MIN_SPEECH_DB);
  const keep = start - HYSTERESIS_DB;
  const raw: Segment[] = [];
  let from = -1;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] ?? MIN_SPEECH_DB;
    if (from < 0 && level >= start) from = i;
    else if (from >= 0 && level < keep) {
      raw.push({ start_s: from * frameS, end_s: i * frameS });
      from = -1;
    }
  }
  if (from >= 0) raw.push({ start_s: from * frameS, end_s: levels.length * frameS });
  const bridged: Segment[] = [];
  for (const segment of raw) {
    const last = bridged[bridged.length - 1];
    if (last && segment.start_s - last.end_s < BRIDGE_S) last.end_s = segment.end_s;
    else bridged.push({ ...segment });
  }
  return bridged.filter((s) => s.end_s - s.start_s >= MIN_SPEECH_S - 1e-9).map(rounded);
}

function rounded(segment: Segment): Segment {
  return { start_s: round(segment.start_s), end_s: round(segment.end_s) };
}

function total(segments: Segment[]): number {
  return round(segments.reduce((sum, s) => sum + (s.end_s - s.start_s), 0));
}

/** Stretches where both lists have speech at once. Both lists are sorted and non-overlapping. */
export function intersect(a: Segment[], b: Segment[]): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Segment;
    const y = b[j] as Segment;
    const start = Math.max(x.start_s, y.start_s);
    const end = Math.min(x.end_s, y.end_s);
    if (end > start) out.push({ start_s: start, end_s: end });
    if (x.end_s < y.end_s) i++;
    else j++;
  }
  return out;
}

/** Stretches of [0, duration] covered by none of the segments (leading and trailing silence included). */
export function gaps(lists: Segment[][], duration: number): Segment[] {
  const all = lists.flat().sort((x, y) => x.start_s - y.start_s);
  const out: Segment[] = [];
  let cursor = 0;
  for (const s of all) {
    if (s.start_s > cursor) out.push({ start_s: cursor, end_s: s.start_s });
    cursor = Math.max(cursor, s.end_s);
  }
  if (duration > cursor) out.push({ start_s: cursor, end_s: duration });
  return out;
}

function longer(segments: Segment[], min: number): Segment[] {
  return segments.filter((s) => s.end_s - s.start_s >= min - 1e-9).map(rounded);
}

export interface MeasureInput {
  /** Agent first, then customer; one entry on mono. */
  channels: ChannelLevels[];
  duration_s: number;
  sample_rate: number;
  sourceChannels: number;
  deadAirMinS: number;
}

/** The analysis from the frame levels of one or two sides. */
export function measure(input: MeasureInput): AudioAnalysis {
  const [agentLevels, customerLevels] = input.channels;
  const agent = agentLevels ? detectSpeech(agentLevels) : [];
  const customer = customerLevels ? detectSpeech(customerLevels) : [];
  const mono = customerLevels === undefined;
  const deadAir = longer(gaps([agent, customer], input.duration_s), input.deadAirMinS);
  const base = {
    duration_s: round(input.duration_s),
    channels: input.sourceChannels,
    sample_rate: input.sample_rate,
    mono,
    dead_air: {
      total_s: total(deadAir),
      longest_s: round(deadAir.reduce((most, s) => Math.max(most, s.end_s - s.start_s), 0)),
      segments: deadAir,
    },
    speech_segments: { agent, customer },
  };
  if (mono) return { ...base, speech: null, mono_speech_s: total(agent), overtalk: null };
  const agentS = total(agent);
  const customerS = total(customer);
  const overtalk = longer(intersect(agent, customer), MIN_OVERTALK_S);
  return {
    ...base,
    speech: {
      agent_s: agentS,
      customer_s: customerS,
      talk_ratio: agentS + customerS > 0 ? round(agentS / (agentS + customerS)) : null,
    },
    mono_speech_s: null,
    overtalk: { total_s: total(overtalk), count: overtalk.length, segments: overtalk },
  };
}
