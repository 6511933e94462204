import type { Call } from '../db/schema';
import { DEFAULT_SPEAKER_NAMES, sideOf, type Side, type SpeakerNames } from './speakers';
import {
  detectFormat,
  parseJson,
  parseSrt,
  parseText,
  parseVtt,
  TranscriptError,
  writeTranscript,
  type SourceFormat,
  type WrittenLine,
} from './transcript-formats';

export { TranscriptError };

/** One transcript line: who said it (as written, and which side that is), when, and what. */
export interface Cue {
  /** Seconds from the start of the call; -1 on an untimed (plain text) line. */
  start_s: number;
  end_s: number;
  /** The speaker as the transcript names them ("Agent", "Dana"), or null when unnamed. */
  speaker: string | null;
  /** The side of the call that speaker is on, or null when the line names no speaker. */
  side: Side | null;
  text: string;
}

export const MAX_TRANSCRIPT_BYTES = 2 * 1024 * 1024;

/** How a transcript is stored: WebVTT for timed lines, text for untimed ones (see writeTranscript). */
export type TranscriptFormat = 'vtt' | 'text';

export class TranscriptTooLarge extends TranscriptError {}

/** A checked transcript: the cues, the format it came in, and the text and format to store. */
export interface CheckedTranscript {
  source: SourceFormat;
  cues: Cue[];
  format: TranscriptFormat;
  text: string;
}

/** The bytes as UTF-8 text, refusing what is too large, not UTF-8, or empty. */
export function decodeTranscript(bytes: Buffer): string {
  if (bytes.length > MAX_TRANSCRIPT_BYTES) throw new TranscriptTooLarge('The transcript is larger than 2 MB.');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new TranscriptError('The transcript is not UTF-8 text.');
  }
  if (text.includes('\u0000')) throw new TranscriptError('The transcript is not text: it holds NUL bytes.');
  text = text.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new TranscriptError('The transcript is empty.');
  return text;
}

const PARSERS: Record<SourceFormat, (text: string) => WrittenLine[]> = {
  vtt: parseVtt,
  srt: parseSrt,
  json: parseJson,
  text: parseText,
};

const FORMAT_NAMES: Record<SourceFormat, string> = { vtt: 'WebVTT', srt: 'SRT', json: 'JSON', text: 'text' };

/** Each line with its side; a named speaker on neither side's list is refused, naming them. */
function withSides(lines: WrittenLine[], names: SpeakerNames): Cue[] {
  const unknown = new Set<string>();
  const cues = lines.map((line): Cue => {
    const written = line.side === 'agent' || line.side === 'customer' ? line.side : undefined;
    const side = written ?? (line.speaker === null ? null : sideOf(line.speaker, names));
    if (side === undefined && line.speaker !== null) unknown.add(line.speaker);
    return { start_s: line.start_s, end_s: line.end_s, speaker: line.speaker, side: side ?? null, text: line.text };
  });
  if (unknown.size > 0) {
    const list = [...unknown].slice(0, 5).map((name) => `"${name}"`);
    throw new TranscriptError(
      `Unknown speaker${unknown.size > 1 ? 's' : ''} ${list.join(', ')}${unknown.size > 5 ? ' and more' : ''}: ` +
        'name each speaker as the agent or the customer, or add the name to the transcript speaker names in Settings.',
    );
  }
  return cues;
}

/**
 * Checks a transcript upload (WebVTT, SRT, JSON or plain text, told apart by content) and gives its cues with
 * sides and the canonical text to store. Throws TranscriptError with a message for the person who sent it.
 */
export function validateTranscript(bytes: Buffer, names: SpeakerNames = DEFAULT_SPEAKER_NAMES): CheckedTranscript {
  const text = decodeTranscript(bytes);
  const source = detectFormat(text);
  const cues = withSides(PARSERS[source](text), names);
  if (cues.length === 0) throw new TranscriptError(`The ${FORMAT_NAMES[source]} transcript has no lines.`);
  return { source, cues, ...writeTranscript(cues) };
}

/** A stored transcript's cues. Rows stored before sides were written get theirs from the default names. */
export function transcriptCues(format: TranscriptFormat, text: string): Cue[] {
  const lines = format === 'vtt' ? parseVtt(text, false) : parseText(text);
  return lines.map((line) => {
    const written = line.side === 'agent' || line.side === 'customer' ? line.side : undefined;
    const side = written ?? (line.speaker ? (sideOf(line.speaker, DEFAULT_SPEAKER_NAMES) ?? null) : null);
    return { start_s: line.start_s, end_s: line.end_s, speaker: line.speaker, side, text: line.text };
  });
}

/** A call's transcript as cues, or none when it has no transcript. */
export function callCues(call: Pick<Call, 'transcript' | 'transcript_format'>): Cue[] {
  return call.transcript && call.transcript_format ? transcriptCues(call.transcript_format, call.transcript) : [];
}
