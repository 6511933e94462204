import fs from 'node:fs';
import { Transform, pipeline } from 'node:stream';
import { CsvError, parse as parseStream } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { REQUIRED_CSV_COLUMNS } from '../calls';
import { Validation } from '../lib/errors';

// Reading an ACD export's CSV: in memory for the bulk upload, streamed from disk for the import.

export const MAX_IMPORT_ROWS = 200_000;

export interface CsvRow {
  line: number;
  values: Record<string, string>;
  /** Why the line (a phone system's call) can't be imported, found while reading it. */
  error?: string;
  /**
   * A phone system's call: the uniqueids of its legs other than the call's own id, kept so a recording named
   * by any of them finds the call (one named by the call's id, its legs' linkedid, finds it by external_id).
   */
  legs?: string[];
}

/** Lower-cased column names of a header row; a missing required column is a Validation error. */
function checkHeader(record: string[], required: readonly string[]): string[] {
  const header = record.map((h) => h.trim().toLowerCase());
  const missing = required.filter((column) => !header.includes(column));
  if (missing.length) {
    const message = `Missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.`;
    throw new Validation([{ path: 'csv', message }], message);
  }
  return header;
}

/**
 * Parses CSV text with a header row, in memory: for the bulk upload's CSV, whose lines each name a
 * recording sent with it. A broken header or unreadable file is a Validation error.
 */
export function parseCallsCsv(
  text: string,
  required: readonly string[] = REQUIRED_CSV_COLUMNS,
  maxRows = MAX_IMPORT_ROWS,
  tooMany = `At most ${maxRows} rows per file; split it.`,
): CsvRow[] {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    // info.lines is the line a record ends on, so blank lines and quoted line breaks don't shift numbering.
    records = parse(text.replace(/^\uFEFF/, ''), {
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      info: true,
    }) as unknown as typeof records;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Validation(
      [{ path: 'csv', message: `The CSV could not be read: ${message}` }],
      'The CSV could not be read.',
    );
  }
  const [first, ...data] = records;
  if (!first) throw new Validation([{ path: 'csv', message: 'The CSV is empty.' }], 'The CSV is empty.');
  const header = checkHeader(first.record, required);
  if (data.length > maxRows) throw new Validation([{ path: 'csv', message: tooMany }], tooMany);
  return data.map(({ record, info }) => ({
    line: info.lines,
    values: Object.fromEntries(header.map((name, i) => [name, record[i] ?? ''])),
  }));
}

/** Passes bytes through unchanged, failing with a Validation error at the first that is not UTF-8. */
function utf8Only(): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const notUtf8 = () => new Validation([{ path: 'csv', message: NOT_UTF8 }], NOT_UTF8);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      try {
        decoder.decode(chunk, { stream: true });
        callback(null, chunk);
      } catch {
        callback(notUtf8());
      }
    },
    flush(callback) {
      try {
        decoder.decode();
        callback();
      } catch {
        callback(notUtf8());
      }
    },
  });
}

const NOT_UTF8 = 'The CSV is not UTF-8 text. Save it as UTF-8 (“CSV UTF-8” in Excel) and import it again.';

/**
 * The records of a CSV file on disk with the line each ends on, streamed (blank lines and quoted line
 * breaks don't shift numbering). Bytes that are not UTF-8 or text csv-parse can't read are a Validation
 * error; a file that can't be read at all is an error of its own (never an unhandled stream error).
 */
export async function* csvRecords(
  file: string,
  onBytes?: (bytesRead: number) => void,
  lenient = false,
): AsyncGenerator<{ record: string[]; line: number }> {
  const input = fs.createReadStream(file);
  if (onBytes) input.on('data', () => onBytes(input.bytesRead));
  const parser = parseStream({
    bom: true,
    skip_empty_lines: true,
    relax_column_count: true,
    trim: true,
    info: true,
    // A phone system's file: a stray quote inside a caller name is text, not a broken file.
    relax_quotes: lenient,
  });
  // pipeline (unlike pipe) hands an error of any stage on to the parser, where the loop below sees it. A
  // phone system's file may carry caller names in another encoding: those bytes become U+FFFD instead.
  if (lenient) pipeline(input, parser, () => {});
  else pipeline(input, utf8Only(), parser, () => {});
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { record, line: info.lines };
    }
  } catch (err) {
    if (err instanceof Validation) throw err;
    if (!(err instanceof CsvError)) throw err;
    throw new Validation(
      [{ path: 'csv', message: `The CSV could not be read: ${err.message}` }],
      'The CSV could not be read.',
    );
  } finally {
    input.destroy();
    parser.destroy();
  }
}

/** Reads only the header row: a file refused for it (empty, not UTF-8, a column missing) throws Validation. */
export async function checkCsvHeader(file: string): Promise<void> {
  for await (const { record } of csvRecords(file)) {
    checkHeader(record, REQUIRED_CSV_COLUMNS);
    return;
  }
  throw new Validation([{ path: 'csv', message: 'The CSV is empty.' }], 'The CSV is empty.');
}

/** The data lines of a CSV file as column → value, after its header is checked. */
export async function* csvRows(file: string, onBytes?: (bytesRead: number) => void): AsyncGenerator<CsvRow> {
  let header: string[] | null = null;
  for await (const { record, line } of csvRecords(file, onBytes)) {
    if (!header) {
      header = checkHeader(record, REQUIRED_CSV_COLUMNS);
      continue;
    }
    const columns = header;
    yield { line, values: Object.fromEntries(columns.map((name, i) => [name, record[i] ?? ''])) };
  }
  if (!header) throw new Validation([{ path: 'csv', message: 'The CSV is empty.' }], 'The CSV is empty.');
}
