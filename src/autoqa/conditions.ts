import { clockOf } from '../lib/locals';
import { findPhrase, phraseListWords, transcriptWords, type PhraseMatch } from './phrases';
import type { PhraseSpec } from './rule.schemas';
import type { CallFacts, ConditionResult, Evidence, Stretch, TranscriptLine } from './types';

// The leaf conditions. Each says true, false, or unknown (null) when the facts it needs are missing, and
// explains itself in plain words with the lines or stretches of audio behind the answer.

const MAX_EVIDENCE = 10;
/** A reason quotes at most this many of a condition's phrases. */
const REASON_PHRASES = 5;

/** 0:07, 12:34 or 1:02:03 (whole seconds, rounded down: the moment the line or stretch begins). */
export function clock(seconds: number): string {
  return clockOf(Math.max(0, Math.floor(seconds + 1e-9)));
}

/** Seconds as the rule was written: 10 s, 2.5 s. */
const limit = (s: number) => `${s} s`;
const quote = (text: string) => `“${text}”`;
const unknown = (reason: string): ConditionResult => ({ value: null, reason, evidence: [] });
/** Lengths are compared at millisecond precision, so 10.0000001 s of dead air is not "over 10 s". */
const lengthOf = (s: Stretch) => Math.round((s.end_s - s.start_s) * 1000) / 1000;
/** Times are compared in whole milliseconds, so a line ending at 100.3 s is in "the last 20 s" of 120.3 s. */
const ms = (s: number) => Math.round(s * 1000);
const timed = (line: TranscriptLine) => Number.isFinite(line.start_s) && line.start_s >= 0 && line.end_s >= 0;

const SPEAKER_NAMES = { agent: 'Agent', customer: 'Customer' } as const;

function windowWords(spec: PhraseSpec): string {
  const parts: string[] = [];
  if (spec.within_first_s !== null) parts.push(`in the first ${limit(spec.within_first_s)}`);
  if (spec.within_last_s !== null) parts.push(`in the last ${limit(spec.within_last_s)}`);
  return parts.length ? ` ${parts.join(' and ')}` : '';
}

function phraseUnknown(spec: PhraseSpec, facts: CallFacts): ConditionResult | null {
  const lines = facts.transcript;
  if (!lines || lines.length === 0) return unknown('No transcript');
  const windowed = spec.within_first_s !== null || spec.within_last_s !== null;
  if (windowed && !lines.every(timed)) return unknown('The transcript has no times');
  if (spec.speaker !== 'any' && !lines.some((line) => line.speaker !== null)) {
    return unknown('The transcript does not say who spoke');
  }
  return null;
}

/** Where the call ends, for within_last_s: the duration, else the transcript's last end time. */
function callEnd(facts: CallFacts, lines: readonly TranscriptLine[]): number {
  if (facts.duration_s !== null) return facts.duration_s;
  return lines.reduce((end, line) => Math.max(end, line.end_s), 0);
}

function saidReason(spec: PhraseSpec, line: TranscriptLine, match: PhraseMatch): string {
  const who = line.speaker ? SPEAKER_NAMES[line.speaker] : 'Someone';
  const phrase = spec.any_of[match.phrase] ?? '';
  const heard = match.exact ? '' : ` (heard ${quote(line.text.slice(match.start, match.end))})`;
  return `${who} said ${quote(phrase)}${heard} at ${clock(line.start_s)}`;
}

/** Said (by the speaker, in the window) any of the phrases. */
export function phraseCondition(spec: PhraseSpec, facts: CallFacts): ConditionResult {
  const missing = phraseUnknown(spec, facts);
  if (missing) return missing;
  const lines = facts.transcript ?? [];
  const words = transcriptWords(lines);
  const phrases = phraseListWords(spec.any_of);
  const lastFrom = spec.within_last_s === null ? null : callEnd(facts, lines) - spec.within_last_s;
  const evidence: Evidence[] = [];
  let firstReason = '';
  for (let i = 0; i < lines.length && evidence.length < MAX_EVIDENCE; i += 1) {
    const line = lines[i];
    const lineWords = words[i];
    if (!line || !lineWords) continue;
    if (spec.speaker !== 'any' && line.speaker !== spec.speaker) continue;
    if (spec.within_first_s !== null && !(ms(line.start_s) <= ms(spec.within_first_s))) continue;
    if (lastFrom !== null && !(ms(line.end_s) >= ms(lastFrom))) continue;
    const match = findPhrase(lineWords, phrases, spec.fuzzy);
    if (!match) continue;
    const { speaker, start_s, end_s, text } = line;
    evidence.push({ kind: 'line', speaker, start_s, end_s, text, match: { start: match.start, end: match.end } });
    if (!firstReason) firstReason = saidReason(spec, line, match);
  }
  if (evidence.length > 0) return { value: true, reason: firstReason, evidence };
  const who = spec.speaker === 'any' ? 'No one' : SPEAKER_NAMES[spec.speaker];
  const shown = spec.any_of.slice(0, REASON_PHRASES).map(quote).join(', ');
  const hidden = spec.any_of.length - REASON_PHRASES;
  const list = hidden > 0 ? `${shown} and ${hidden} more` : shown;
  const said = spec.speaker === 'any' ? 'said' : 'never said';
  const what = spec.any_of.length === 1 ? list : `any of ${list}`;
  return { value: false, reason: `${who} ${said} ${what}${windowWords(spec)}`, evidence: [] };
}

function audioUnknown(facts: CallFacts): ConditionResult | null {
  switch (facts.analysis_status) {
    case 'done':
      return null;
    case 'pending':
      return unknown('The audio is not analysed yet');
    case 'failed':
      return unknown('The audio analysis failed');
    case 'no_recording':
      return unknown('No recording');
    default:
      return unknown('No audio analysis');
  }
}

function stretchesOver(kind: 'dead_air' | 'overtalk', stretches: readonly Stretch[], over: number) {
  const name = kind === 'dead_air' ? 'Dead air' : 'Overtalk';
  const long = stretches.filter((s) => lengthOf(s) > over);
  if (long.length === 0) {
    const longest = stretches.reduce((max, s) => Math.max(max, lengthOf(s)), 0);
    const tail = stretches.length ? ` (longest ${longest.toFixed(1)} s)` : '';
    return { value: false, reason: `No ${name.toLowerCase()} over ${limit(over)}${tail}`, evidence: [] };
  }
  const worst = long.reduce((a, b) => (lengthOf(b) > lengthOf(a) ? b : a));
  const more = long.length > 1 ? `; ${long.length - 1} more over the limit` : '';
  const evidence: Evidence[] = long
    .slice(0, MAX_EVIDENCE)
    .map((s) => ({ kind, speaker: null, start_s: s.start_s, end_s: s.end_s, text: null, match: null }));
  const at = `${clock(worst.start_s)}–${clock(worst.end_s)}`;
  const reason = `${name} of ${lengthOf(worst).toFixed(1)} s at ${at} (limit ${limit(over)})${more}`;
  return { value: true, reason, evidence };
}

/** A stretch of dead air longer than `over` seconds. */
export function deadAirCondition(over: number, facts: CallFacts): ConditionResult {
  const missing = audioUnknown(facts);
  if (missing) return missing;
  if (!facts.dead_air) return unknown('No dead-air figures');
  return stretchesOver('dead_air', facts.dead_air, over);
}

/** A stretch of overtalk (both sides at once) longer than `over` seconds. */
export function overtalkCondition(over: number, facts: CallFacts): ConditionResult {
  const missing = audioUnknown(facts);
  if (missing) return missing;
  if (!facts.overtalk) return unknown('Mono recording: no overtalk figures');
  return stretchesOver('overtalk', facts.overtalk, over);
}

/** Hold time (from the call record) longer than `over` seconds. */
export function holdCondition(over: number, facts: CallFacts): ConditionResult {
  if (facts.hold_s === null) return unknown('Hold time unknown');
  const held = facts.hold_s;
  const words = held > 0 ? `On hold ${held} s` : 'No hold';
  return { value: held > over, reason: `${words} (limit ${limit(over)})`, evidence: [] };
}
