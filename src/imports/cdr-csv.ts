import fs from 'node:fs';
import { Validation } from '../lib/errors';

// A phone system's CDR file read record by record, faster than the general CSV parser (which took most of a
// CDR import's own time, bench/pbx-import.ts): fields separated by commas, quoted or not, a quote doubled in a
// quoted field, spaces around fields trimmed, a quote inside an unquoted field kept as text, CR, LF or CRLF
// line ends, blank lines skipped, bytes that are not UTF-8 read as U+FFFD. Each record comes with the line it
// ends on, as csv-parse's `info.lines` (test/pbx/cdr-csv.test.ts checks it against csv-parse).

export interface CdrRecord {
  record: string[];
  line: number;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

const isBlank = (c: number) => c === 32 || c === 9;

/** Reads records from `text` starting at 0; stops before a record the text does not finish (unless `final`). */
class RecordReader {
  line = 1;
  /** Where the unread text starts: the first record not read yet. */
  consumed = 0;

  constructor(private readonly out: CdrRecord[]) {}

  read(text: string, final: boolean): void {
    let at = 0;
    let line = this.line;
    for (;;) {
      const start = at;
      const startLine = line;
      const fields: string[] = [];
      let ended = false;
      let empty = true;
      while (!ended) {
        while (at < text.length && isBlank(text.charCodeAt(at))) at += 1;
        if (at >= text.length) {
          if (!final) return this.stop(start, startLine);
          fields.push('');
          break;
        }
        let value: string;
        if (text.charCodeAt(at) === QUOTE) {
          empty = false;
          const quoted = this.quoted(text, at + 1, final);
          if (!quoted) return this.stop(start, startLine, final);
          value = quoted.value;
          line += quoted.lines;
          at = quoted.end;
          // Anything up to the separator after the closing quote is text too (lenient, as relax_quotes).
          const rest = this.unquotedEnd(text, at);
          value += text.slice(at, rest).trimEnd();
          at = rest;
        } else {
          const end = this.unquotedEnd(text, at);
          value = text.slice(at, end).trimEnd();
          if (end > at) empty = false;
          at = end;
        }
        fields.push(value);
        if (at >= text.length) {
          if (!final) return this.stop(start, startLine);
          ended = true;
        } else {
          const c = text.charCodeAt(at);
          at += 1;
          if (c === COMMA) {
            empty = false;
            continue;
          }
          if (c === CR && text.charCodeAt(at) === LF) at += 1;
          else if (c === CR && at >= text.length && !final) return this.stop(start, startLine);
          ended = true;
        }
      }
      if (!(empty && fields.length === 1)) this.out.push({ record: fields, line });
      if (at < text.length || !final) line += 1;
      if (at >= text.length) {
        this.line = line;
        this.consumed = at;
        return;
      }
    }
  }

  private stop(start: number, startLine: number, final = false): void {
    if (final) throw unreadable('a quoted field is not closed before the end of the file');
    this.consumed = start;
    this.line = startLine;
  }

  /** A quoted field's text from just after its opening quote; null when the text ends inside it. */
  private quoted(text: string, from: number, final: boolean): { value: string; end: number; lines: number } | null {
    let value = '';
    let at = from;
    let lines = 0;
    for (;;) {
      const close = text.indexOf('"', at);
      if (close < 0 || (close + 1 >= text.length && !final)) return null;
      const part = text.slice(at, close);
      lines += countLines(part);
      value += part;
      if (text.charCodeAt(close + 1) === QUOTE) {
        value += '"';
        at = close + 2;
        continue;
      }
      return { value, end: close + 1, lines };
    }
  }

  /** The end of an unquoted field: the next comma or line end (a quote inside it is text). */
  private unquotedEnd(text: string, from: number): number {
    let at = from;
    while (at < text.length) {
      const c = text.charCodeAt(at);
      if (c === COMMA || c === LF || c === CR) return at;
      at += 1;
    }
    return at;
  }
}

/** Line ends inside a quoted field (CRLF counted once), so numbering matches the file's lines. */
function countLines(part: string): number {
  let n = 0;
  for (let i = 0; i < part.length; i += 1) {
    const c = part.charCodeAt(i);
    if (c === LF) n += 1;
    else if (c === CR && part.charCodeAt(i + 1) !== LF) n += 1;
  }
  return n;
}

function unreadable(why: string): Validation {
  return new Validation([{ path: 'csv', message: `The CSV could not be read: ${why}.` }], 'The CSV could not be read.');
}

/** The records of a CDR file on disk, streamed, with the line each ends on. */
export async function* cdrRecords(
  file: string,
  onBytes?: (bytesRead: number) => void,
  chunkBytes = 64 * 1024,
): AsyncGenerator<CdrRecord> {
  const input = fs.createReadStream(file, { highWaterMark: chunkBytes });
  const decoder = new TextDecoder('utf-8');
  const out: CdrRecord[] = [];
  const reader = new RecordReader(out);
  let pending = '';
  let first = true;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      onBytes?.(input.bytesRead);
      pending += decoder.decode(chunk, { stream: true });
      if (first && pending.length > 0) {
        if (pending.charCodeAt(0) === 0xfeff) pending = pending.slice(1);
        first = false;
      }
      reader.read(pending, false);
      pending = pending.slice(reader.consumed);
      yield* out.splice(0);
    }
    pending += decoder.decode();
    if (first && pending.charCodeAt(0) === 0xfeff) pending = pending.slice(1);
    if (pending.length > 0) reader.read(pending, true);
    yield* out.splice(0);
  } finally {
    input.destroy();
  }
}
