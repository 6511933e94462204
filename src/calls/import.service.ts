import fs from 'node:fs';
import { Transform, pipeline } from 'node:stream';
import { CsvError, parse as parseStream } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { recordAudit } from '../audit';
import type { NewCall } from '../db/schema';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { AppError, Validation } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { teamScope, type Actor, type TeamScope } from '../policy';
import { insertCallIfNew } from './calls.queries';
import { callFieldsSchema, REQUIRED_CSV_COLUMNS, type CallFields } from './calls.schemas';
import { callRow, placeCall } from './ingest.service';

export const MAX_IMPORT_ROWS = 200_000;

export interface CsvRow {
  line: number;
  values: Record<string, string>;
}

export interface LineError {
  line: number;
  message: string;
}

export interface ImportSummary {
  created: number;
  unchanged: number;
  errors: LineError[];
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
  if (records.length === 0) throw new Validation([{ path: 'csv', message: 'The CSV is empty.' }], 'The CSV is empty.');
  const header = checkHeader(records[0].record, required);
  if (records.length - 1 > maxRows) throw new Validation([{ path: 'csv', message: tooMany }], tooMany);
  return records.slice(1).map(({ record, info }) => ({
    line: info.lines,
    values: Object.fromEntries(header.map((name, i) => [name, record[i] ?? ''])),
  }));
}

function describe(err: unknown): string {
  if (err instanceof Validation) return err.details.map((d) => d.message).join(' ');
  if (err instanceof Error) return err.message;
  return String(err);
}

/** An import stopped by its signal (the server shutting down); what was committed stays. */
export class ImportStopped extends AppError {
  readonly status = 503;
  readonly code = 'shutting_down';
  constructor(
    readonly done: number,
    readonly total: number,
  ) {
    super(
      done > 0
        ? `The server is shutting down: the import stopped after adding ${done} of ${total} calls. ` +
            'Send the file again to add the rest; calls already added are kept and not doubled.'
        : 'The server is shutting down: the import stopped before adding any call. Send the file again shortly.',
    );
  }
}

/** Good lines read ahead of the writes (and the most one transaction writes). */
export const IMPORT_BATCH_ROWS = 2000;
/** A transaction of an import writes for this long, then commits... */
export const IMPORT_SLICE_MS = 100;
/** ...and the import waits this long, so requests arriving meanwhile are served between its transactions. */
export const IMPORT_PAUSE_MS = 25;

export interface ImportProgress {
  /** Good lines written so far (created or already there). */
  done: number;
  /** Good lines in the file. */
  total: number;
}

export interface ImportOptions {
  ip?: string;
  /** Called once the file is checked (done 0) and after each transaction commits. */
  onProgress?: (progress: ImportProgress) => void;
  /** Called as the check reads the file: bytes read so far. */
  onCheck?: (bytesRead: number) => void;
  /** Stops the import between two transactions (or during the check): ImportStopped is thrown. */
  signal?: AbortSignal;
  /** Lines read ahead and the most per transaction; tests make it small to see several transactions. */
  batchRows?: number;
  /** Time a transaction writes before it commits. */
  sliceMs?: number;
  /** Wait between transactions. */
  pauseMs?: number;
  /** Largest number of data lines accepted. */
  maxRows?: number;
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
async function* csvRecords(
  file: string,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<{ record: string[]; line: number }> {
  const input = fs.createReadStream(file);
  if (onBytes) input.on('data', () => onBytes(input.bytesRead));
  const parser = parseStream({ bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, info: true });
  // pipeline (unlike pipe) hands an error of any stage on to the parser, where the loop below sees it.
  pipeline(input, utf8Only(), parser, () => {});
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
async function* csvRows(file: string, onBytes?: (bytesRead: number) => void): AsyncGenerator<CsvRow> {
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

type Placement = Awaited<ReturnType<typeof placeCall>>;

interface CheckedFile {
  /** Good lines, to be written. */
  total: number;
  errors: LineError[];
  /** Lines with an error, skipped when writing. */
  refused: Set<number>;
  placements: Map<string, Placement | Error>;
}

/**
 * Reads the whole file once before anything is written: the header, the line count, every line's fields,
 * duplicates within the file, and each agent's team (looked up once per agent). Only the line numbers of
 * duplicates and the lookups are kept, not the rows, so memory does not grow with the file.
 */
async function checkFile(deps: AppDeps, actor: Actor, file: string, options: ImportOptions): Promise<CheckedFile> {
  const maxRows = options.maxRows ?? MAX_IMPORT_ROWS;
  const scope = await teamScope(deps.db, actor);
  const checked: CheckedFile = { total: 0, errors: [], refused: new Set(), placements: new Map() };
  const seen = new Map<string, number>();
  let lines = 0;
  for await (const row of csvRows(file, options.onCheck)) {
    if (options.signal?.aborted) throw new ImportStopped(0, 0);
    lines += 1;
    if (lines > maxRows) {
      const message = `At most ${maxRows} rows per file; split it.`;
      throw new Validation([{ path: 'csv', message }], message);
    }
    try {
      const fields = parseInput(callFieldsSchema, row.values);
      const key = `${fields.source ?? 'default'}\u0000${fields.external_id}`;
      const first = seen.get(key);
      if (first) throw new Error(`Duplicate of line ${first} (same external_id).`);
      seen.set(key, row.line);
      const placement = await placementOf(deps, scope, fields, checked.placements);
      if (placement instanceof Error) throw placement;
      checked.total += 1;
    } catch (err) {
      checked.errors.push({ line: row.line, message: describe(err) });
      checked.refused.add(row.line);
    }
  }
  return checked;
}

function placementKey(fields: CallFields): string {
  return `${fields.agent ?? ''}\u0000${fields.team_id ?? ''}`;
}

/** The agent's id and team for a line (or why it can't be placed), looked up once per agent and team. */
async function placementOf(
  deps: AppDeps,
  scope: TeamScope,
  fields: CallFields,
  cache: Map<string, Placement | Error>,
): Promise<Placement | Error> {
  const key = placementKey(fields);
  let placement = cache.get(key);
  if (!placement) {
    try {
      placement = await placeCall(deps, scope, fields);
    } catch (err) {
      if (!(err instanceof Validation)) throw err;
      placement = err;
    }
    cache.set(key, placement);
  }
  return placement;
}

/**
 * Imports call records without audio (an ACD export) from a CSV file on disk. The whole file is checked
 * first, so a broken header, an unreadable file or too many lines refuses it with nothing written; then it
 * is read again and the good lines land in transactions of at most `IMPORT_SLICE_MS` each, with a pause
 * between them so other people's requests are served during a long import (one transaction for the lot
 * would hold the app's only connection, and so every page, for as long as it takes). Bad lines come back with
 * their line number. Idempotent on (source, external_id): if the import is cut short, importing the file
 * again adds what is missing. Memory stays flat however long the file is.
 */
export async function importCallsFile(
  deps: AppDeps,
  actor: Actor,
  file: string,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const batchRows = options.batchRows ?? IMPORT_BATCH_ROWS;
  const sliceMs = options.sliceMs ?? IMPORT_SLICE_MS;
  const pauseMs = options.pauseMs ?? IMPORT_PAUSE_MS;
  const checked = await checkFile(deps, actor, file, options);
  options.onProgress?.({ done: 0, total: checked.total });
  const now = isoNow(deps.clock);
  let created = 0;
  let done = 0;
  let pending: NewCall[] = [];

  /** One transaction: inserts pending rows until the slice's time is up, and audits the first and last. */
  const writeSlice = async () => {
    if (options.signal?.aborted) throw new ImportStopped(done, checked.total);
    const first = done === 0;
    const { count, used } = await deps.db.transaction().execute(async (trx) => {
      const started = performance.now();
      let inserted = 0;
      let n = 0;
      while (n < pending.length && (n === 0 || performance.now() - started < sliceMs)) {
        if ((await insertCallIfNew(trx, pending[n])) !== null) inserted += 1;
        n += 1;
      }
      const last = done + n === checked.total;
      // An import spread over several transactions says who started it in the first, so the calls of one
      // cut short are still accounted for.
      if (first && !last) {
        await recordAudit(trx, now, {
          actorId: actor.id,
          action: 'calls.import_started',
          details: { lines: checked.total, errors: checked.errors.length },
          ip: options.ip,
        });
      }
      if (last && (!first || created + inserted > 0)) {
        const total = created + inserted;
        await recordAudit(trx, now, {
          actorId: actor.id,
          action: 'calls.imported',
          details: { created: total, unchanged: checked.total - total, errors: checked.errors.length },
          ip: options.ip,
        });
      }
      return { count: inserted, used: n };
    });
    created += count;
    done += used;
    pending = pending.slice(used);
    options.onProgress?.({ done, total: checked.total });
    // Time for other people's requests, each of which may need several queries, before the next slice.
    if (done < checked.total) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  };

  if (checked.total > 0) {
    for await (const row of csvRows(file)) {
      if (checked.refused.has(row.line)) continue;
      const fields = parseInput(callFieldsSchema, row.values);
      // Every good line's placement was looked up by checkFile.
      const placement = checked.placements.get(placementKey(fields)) as Placement;
      pending.push(callRow(fields, placement, now, actor.id));
      while (pending.length >= batchRows) await writeSlice();
    }
    while (pending.length > 0) await writeSlice();
  }
  return { created, unchanged: checked.total - created, errors: checked.errors };
}
