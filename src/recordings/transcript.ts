import { WebVTTParser, type CueNode } from 'webvtt-parser';
import type { Call } from '../db/schema';

export interface Cue {
  start_s: number;
  end_s: number;
  speaker: string | null;
  text: string;
}

export const MAX_TRANSCRIPT_BYTES = 2 * 1024 * 1024;

export type TranscriptFormat = 'vtt' | 'text';

export class TranscriptError extends Error {}

function plainText(nodes: CueNode[] = []): string {
  return nodes
    .map((node) =>
      node.type === 'text' ? String(node.value ?? '') : node.type === 'object' ? plainText(node.children) : '',
    )
    .join('');
}

function speakerOf(nodes: CueNode[] = []): string | null {
  for (const node of nodes) {
    if (node.type === 'object' && node.name === 'v' && node.value) return String(node.value).trim().slice(0, 60);
  }
  return null;
}

/** Decides the format from the content: a WebVTT file starts with the WEBVTT signature. */
export function detectTranscriptFormat(text: string): TranscriptFormat {
  return /^\uFEFF?WEBVTT(?:[ \t].*)?(?:\r?\n|$)/.test(text) ? 'vtt' : 'text';
}

/** Checks a transcript upload: UTF-8 text, and for WebVTT, cues the parser accepts. */
export function validateTranscript(bytes: Buffer): { format: TranscriptFormat; text: string } {
  if (bytes.length > MAX_TRANSCRIPT_BYTES) throw new TranscriptError('The transcript is larger than 2 MB.');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text.includes('\u0000') || text.includes('\uFFFD')) {
    throw new TranscriptError('The transcript is not UTF-8 text (WebVTT or plain text).');
  }
  const format = detectTranscriptFormat(text);
  if (format === 'vtt') {
    const result = new WebVTTParser().parse(text, 'metadata');
    if (result.cues.length === 0) throw new TranscriptError('The WebVTT transcript has no cues.');
  }
  return { format, text: text.replace(/^\uFEFF/, '') };
}

/** Cues for display: WebVTT cues with their speakers, or one cue per paragraph of a plain transcript. */
export function transcriptCues(format: TranscriptFormat, text: string): Cue[] {
  if (format === 'text') {
    return text
      .split(/\r?\n\s*\r?\n|\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const match = /^([A-Z][\w .'-]{0,40}):\s+(.*)$/.exec(line);
        const [, speaker, said] = match ?? [];
        return { start_s: -1, end_s: -1, speaker: speaker ?? null, text: said ?? line };
      });
  }
  return new WebVTTParser().parse(text, 'metadata').cues.map((cue) => ({
    start_s: cue.startTime,
    end_s: cue.endTime,
    speaker: speakerOf(cue.tree.children),
    text: plainText(cue.tree.children).trim(),
  }));
}

/** A call's transcript as cues, or none when it has no transcript. */
export function callCues(call: Pick<Call, 'transcript' | 'transcript_format'>): Cue[] {
  return call.transcript && call.transcript_format ? transcriptCues(call.transcript_format, call.transcript) : [];
}
