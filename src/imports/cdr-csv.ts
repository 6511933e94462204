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

  /** Where the last quoted field read ends (just past its closing quote) and the line ends inside it. */
  private quotedEnd = 0;
  private quotedLines = 0;

  /**
   * `keep`: the columns whose text is wanted (by index; all when absent). The others are read past and come
   * as '', so a record keeps its column count but costs no string for a column nobody reads.
   */
  constructor(
    public out: CdrRecord[],
    private readonly keep?: readonly boolean[],
  ) {}

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
        let value = '';
        const kept = this.keep === undefined || this.keep[fields.length] === true;
        if (text.charCodeAt(at) === QUOTE) {
          empty = false;
          const quoted = this.quoted(text, at + 1, final, kept);
          if (quoted === null) return this.stop(start, startLine, final);
          value = quoted;
          line += this.quotedLines;
          at = this.quotedEnd;
          // Anything up to the separator after the closing quote is text too (lenient, as relax_quotes).
          const rest = this.unquotedEnd(text, at);
          if (rest > at && kept) value += text.slice(at, rest).trimEnd();
          at = rest;
        } else {
          const end = this.unquotedEnd(text, at);
          if (kept && end > at) value = text.slice(at, end).trimEnd();
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

  /**
   * A quoted field's text from just after its opening quote ('' when not `kept`); null when the text ends
   * inside it. Where it ends and the line ends inside it are left in quotedEnd and quotedLines.
   */
  private quoted(text: string, from: number, final: boolean, kept: boolean): string | null {
    let value = '';
    let at = from;
    let lines = 0;
    for (;;) {
      const close = text.indexOf('"', at);
      if (close < 0 || (close + 1 >= text.length && !final)) return null;
      lines += countLines(text, at, close);
      if (kept) value += text.slice(at, close);
      if (text.charCodeAt(close + 1) === QUOTE) {
        if (kept) value += '"';
        at = close + 2;
        continue;
      }
      this.quotedEnd = close + 1;
      this.quotedLines = lines;
      return value;
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

/** Line ends in text[from, to) (CRLF counted once), so numbering matches the file's lines. */
function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i += 1) {
    const c = text.charCodeAt(i);
    if (c === LF) n += 1;
    else if (c === CR && text.charCodeAt(i + 1) !== LF) n += 1;
  }
  return n;
}

function unreadable(why: string): Validation {
  return new Validation([{ path: 'csv', message: `The CSV could not be read: ${why}.` }], 'The CSV could not be read.');
}

/**
 * The records of a CDR file on disk, streamed, with the line each ends on: the records each chunk of the file
 * completes come together (a Master.csv has two or three lines a call, and one await per record cost more
 * than reading it).
 */
export async function* cdrRecordBatches(
  file: string,
  onBytes?: (bytesRead: number) => void,
  options: { chunkBytes?: number; keep?: readonly boolean[] } = {},
): AsyncGenerator<CdrRecord[]> {
  const { chunkBytes = 64 * 1024, keep } = options;
  const input = fs.createReadStream(file, { highWaterMark: chunkBytes });
  const decoder = new TextDecoder('utf-8');
  let out: CdrRecord[] = [];
  const reader = new RecordReader(out, keep);
  let pending = '';
  let first = true;
  const take = () => {
    const batch = out;
    out = [];
    reader.out = out;
    return batch;
  };
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
      if (out.length > 0) yield take();
    }
    pending += decoder.decode();
    if (first && pending.charCodeAt(0) === 0xfeff) pending = pending.slice(1);
    if (pending.length > 0) reader.read(pending, true);
    if (out.length > 0) yield take();
  } finally {
    input.destroy();
  }
}
