// The transcript formats a phone system or a person sends: WebVTT (with <v> voices), SRT, JSON as in API.md
// (`[{"speaker", "start_s", "end_s", "text"}]`) and plain text (`Agent: …` lines without times). Each parser
// gives lines with the speaker as written; speakers.ts says which side each one is on.
import { WebVTTParser, type CueNode } from 'webvtt-parser';

export class TranscriptError extends Error {}

/** One line as the file wrote it; untimed lines (plain text) carry -1 for both times. */
export interface WrittenLine {
  speaker: string | null;
  /** A side written in the file itself (a stored transcript's `<v.agent Dana>`, JSON's "agent"). */
  side?: string;
  start_s: number;
  end_s: number;
  text: string;
}

export type SourceFormat = 'vtt' | 'srt' | 'json' | 'text';

const SRT_START = /^(?:\d+[ \t]*\r?\n)?[ \t]*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}[ \t]*-->/;

/** The format, from the content (never the file name or media type, which senders get wrong). */
export function detectFormat(text: string): SourceFormat {
  if (/^WEBVTT(?:[ \t].*)?(?:\r?\n|$)/.test(text)) return 'vtt';
  const start = text.trimStart();
  if (start.startsWith('[') || start.startsWith('{')) return 'json';
  if (SRT_START.test(start)) return 'srt';
  return 'text';
}

function plainText(nodes: CueNode[] = []): string {
  return nodes
    .map((node) =>
      node.type === 'text' ? String(node.value ?? '') : node.type === 'object' ? plainText(node.children) : '',
    )
    .join('');
}

function voiceOf(nodes: CueNode[] = []): { speaker: string | null; side?: string } {
  for (const node of nodes) {
    if (node.type === 'object' && node.name === 'v') {
      const speaker =
        String(node.value ?? '')
          .trim()
          .slice(0, 60) || null;
      return { speaker, side: node.classes?.find((c) => c === 'agent' || c === 'customer') };
    }
  }
  return { speaker: null };
}

function clock(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
}

function backwards(where: string, start: number, end: number): TranscriptError {
  return new TranscriptError(`${where}: the cue ends (${clock(end)}) before it starts (${clock(start)}).`);
}

// webvtt-parser 2.2 decodes "&amp;" to "&;" (it keeps the semicolon of named references) but numeric ones
// right, so the named references WebVTT defines are rewritten as numeric ones before parsing.
const NAMED_REFERENCES: Record<string, string> = {
  amp: '&#38;',
  lt: '&#60;',
  gt: '&#62;',
  nbsp: '&#160;',
  lrm: '&#8206;',
  rlm: '&#8207;',
};

/** WebVTT cues; `strict` (uploads) refuses a cue that ends before it starts, naming its line. */
export function parseVtt(text: string, strict = true): WrittenLine[] {
  const numeric = text.replace(/&(amp|lt|gt|nbsp|lrm|rlm);/g, (_m, name: string) => NAMED_REFERENCES[name] ?? _m);
  const result = new WebVTTParser().parse(numeric, 'metadata');
  const lines = result.cues.map((cue) => ({
    ...voiceOf(cue.tree.children),
    start_s: cue.startTime,
    end_s: cue.endTime,
    text: plainText(cue.tree.children).replace(/\s+/g, ' ').trim(),
  }));
  // The parser keeps a cue whose end is before its start and reports the line: refuse it by that line.
  const endsBefore = result.errors.filter((e) => /end timestamp/i.test(e.message));
  const backward = lines.filter((line) => line.end_s < line.start_s);
  const first = backward[0];
  if (strict && first) throw backwards(`Line ${endsBefore[0]?.line ?? '?'}`, first.start_s, first.end_s);
  return lines;
}

const SRT_TIME =
  /^(\d{1,2}):(\d{2}):(\d{2})[,.](\d{1,3})[ \t]*-->[ \t]*(\d{1,2}):(\d{2}):(\d{2})[,.](\d{1,3})(?:[ \t].*)?$/;

function srtSeconds(h: string, m: string, s: string, ms: string): number {
  return Number(h) * 3600 + Number(m) * 60 + Number(s) + Number(ms.padEnd(3, '0')) / 1000;
}

/** A speaker written at the start of a subtitle: `<v Name>`, `[Name]` or `Name:`. */
function srtSpeaker(text: string): { speaker: string | null; text: string } {
  const match =
    /^<v(?:\.[\w.-]+)?[ \t]+([^>]{1,60})>(.*)$/s.exec(text) ??
    /^\[([^\]]{1,60})\][ \t]*(.*)$/s.exec(text) ??
    /^([A-Z][\w .'-]{0,40}):[ \t]+(.*)$/s.exec(text);
  const [, speaker, said] = match ?? [];
  return { speaker: speaker?.trim() || null, text: (said ?? text).trim() };
}

/** SRT, strictly: blocks of an optional index, a time line and text; a block that isn't is refused by line. */
export function parseSrt(text: string): WrittenLine[] {
  const rows = text.split(/\r?\n/);
  const lines: WrittenLine[] = [];
  let i = 0;
  while (i < rows.length) {
    if ((rows[i] ?? '').trim() === '') {
      i += 1;
      continue;
    }
    if (/^\d+$/.test((rows[i] ?? '').trim())) i += 1;
    const time = SRT_TIME.exec((rows[i] ?? '').trim());
    if (!time) throw new TranscriptError(`Line ${i + 1}: expected a time line like "00:00:01,000 --> 00:00:04,000".`);
    const [, h1 = '0', m1 = '0', s1 = '0', ms1 = '0', h2 = '0', m2 = '0', s2 = '0', ms2 = '0'] = time;
    const start = srtSeconds(h1, m1, s1, ms1);
    const end = srtSeconds(h2, m2, s2, ms2);
    if (end < start) throw backwards(`Line ${i + 1}`, start, end);
    const said: string[] = [];
    for (i += 1; i < rows.length && (rows[i] ?? '').trim() !== ''; i += 1) said.push((rows[i] ?? '').trim());
    const joined = said.join(' ').replace(/\{\\[^}]*\}/g, '');
    const voiced = srtSpeaker(joined);
    lines.push({ start_s: start, end_s: end, ...voiced, text: voiced.text.replace(/<[^>]*>/g, '').trim() });
  }
  return lines;
}

/** JSON as API.md has it: an array of `{"speaker", "start_s", "end_s", "text"}`. */
export function parseJson(text: string): WrittenLine[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new TranscriptError('The JSON transcript is not valid JSON.');
  }
  if (!Array.isArray(data)) {
    throw new TranscriptError('A JSON transcript is an array of {"speaker", "start_s", "end_s", "text"}.');
  }
  return data.map((item: unknown, index) => jsonLine(item, index));
}

function jsonLine(item: unknown, index: number): WrittenLine {
  const where = `Line ${index + 1} of the JSON array`;
  const line = (item ?? {}) as Record<string, unknown>;
  const { speaker, start_s: start, end_s: end, text } = line;
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new TranscriptError(`${where} is not an object with speaker, start_s, end_s and text.`);
  }
  if (typeof speaker !== 'string' || speaker.trim() === '' || speaker.length > 60) {
    throw new TranscriptError(`${where}: "speaker" must be "agent", "customer" or a speaker's name.`);
  }
  for (const [name, value] of [
    ['start_s', start],
    ['end_s', end],
  ] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 864_000) {
      throw new TranscriptError(`${where}: "${name}" must be a number of seconds from the start of the call.`);
    }
  }
  if (typeof text !== 'string') throw new TranscriptError(`${where}: "text" must be a string.`);
  if ((end as number) < (start as number)) throw backwards(where, start as number, end as number);
  return { speaker: speaker.trim(), start_s: start as number, end_s: end as number, text: text.trim() };
}

/** Plain text: one line per paragraph, `Name: words` names the speaker; a stored `<v.agent Name>` keeps the side. */
export function parseText(text: string): WrittenLine[] {
  return text
    .split(/\r?\n/)
    .map((row) => row.trim())
    .filter(Boolean)
    .map((row) => {
      const stored = /^<v(?:\.(agent|customer))?[ \t]+([^>]{1,60})>(.*)$/.exec(row);
      if (stored)
        return {
          speaker: stored[2]?.trim() || null,
          side: stored[1],
          start_s: -1,
          end_s: -1,
          text: (stored[3] ?? '').trim(),
        };
      const match = /^([A-Z][\w .'-]{0,40}):\s+(.*)$/.exec(row);
      const [, speaker, said] = match ?? [];
      return { start_s: -1, end_s: -1, speaker: speaker ?? null, text: said ?? row };
    });
}

/** The transcript as WebVTT (timed lines) or text (untimed), each line's side written as a voice class. */
export function writeTranscript(
  lines: ReadonlyArray<{ speaker: string | null; side: string | null; start_s: number; end_s: number; text: string }>,
): { format: 'vtt' | 'text'; text: string } {
  const escape = (s: string) => s.replace(/&/g, '&#38;').replace(/</g, '&#60;').replace(/>/g, '&#62;');
  const voice = (line: { speaker: string | null; side: string | null }) => {
    const name = (line.speaker ?? line.side ?? '').replace(/[<>&\s]+/g, ' ').trim();
    return name ? `<v${line.side ? `.${line.side}` : ''} ${name}>` : '';
  };
  const said = (text: string) => text.replace(/\s+/g, ' ').trim();
  if (lines.every((line) => line.start_s < 0)) {
    return { format: 'text', text: lines.map((line) => `${voice(line)}${said(line.text)}`).join('\n') + '\n' };
  }
  const cues = lines.map((l) => `${clock(l.start_s)} --> ${clock(l.end_s)}\n${voice(l)}${escape(said(l.text))}`);
  return { format: 'vtt', text: `WEBVTT\n\n${cues.join('\n\n')}\n` };
}
