import { recordAudit } from '../audit';
import { callFieldsSchema, callRow, insertCallIfNew, placeCall, type CallFields, type Placement } from '../calls';
import { withBulkPageCache } from '../db/database';
import type { NewCall } from '../db/schema';
import { inTransaction, type Tx } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { AppError, Validation } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { teamScope, type Actor, type TeamScope } from '../policy';
import { MAX_IMPORT_ROWS } from './csv';
import { insertNewLegs, recordLegsOfExistingCall, type NewLeg } from './legs.queries';
import { rowSource, type ImportFormat, type RowSource } from './sources';

export interface LineError {
  line: number;
  message: string;
}

export interface ImportSummary {
  created: number;
  unchanged: number;
  errors: LineError[];
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
  /** Our CSV (the default) or a phone system's CDR file. */
  format?: ImportFormat;
}

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
async function checkFile(deps: AppDeps, actor: Actor, rows: RowSource, options: ImportOptions): Promise<CheckedFile> {
  const maxRows = options.maxRows ?? MAX_IMPORT_ROWS;
  const scope = await teamScope(deps.db, actor);
  const checked: CheckedFile = { total: 0, errors: [], refused: new Set(), placements: new Map() };
  const seen = new Map<string, number>();
  let lines = 0;
  for await (const row of rows(options.onCheck)) {
    if (options.signal?.aborted) throw new ImportStopped(0, 0);
    lines += 1;
    if (lines > maxRows) {
      const message = `At most ${maxRows} rows per file; split it.`;
      throw new Validation([{ path: 'csv', message }], message);
    }
    try {
      if (row.error) throw new Error(row.error);
      const fields = parseInput(callFieldsSchema, row.values);
      // Copied into one flat string: the template's rope of parts (and the parsed line they point into) would
      // otherwise stay alive with the key for the whole check, about 170 bytes a line more (33 MB at 200,000).
      const key = Buffer.from(`${fields.source ?? 'default'}\u0000${fields.external_id}`).toString();
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

/** Where an import's writing stands, between its transactions. */
interface WriteState {
  checked: CheckedFile;
  now: string;
  created: number;
  done: number;
  pending: PendingCall[];
}

/** A call to write, with its legs' ids when it comes from a phone system's file. */
interface PendingCall {
  row: NewCall;
  legs?: string[];
}

/** The import's audit lines: who started one spread over several transactions, and what it added in all. */
async function auditSlice(
  trx: Tx,
  actor: Actor,
  options: ImportOptions,
  state: WriteState,
  inserted: number,
  n: number,
) {
  const { checked, now, created, done } = state;
  const first = done === 0;
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
}

/** One transaction: inserts pending rows until the slice's time is up, and audits the first and last. */
async function writeSlice(deps: AppDeps, actor: Actor, options: ImportOptions, state: WriteState): Promise<void> {
  const sliceMs = options.sliceMs ?? IMPORT_SLICE_MS;
  const pauseMs = options.pauseMs ?? IMPORT_PAUSE_MS;
  const { checked, pending } = state;
  if (options.signal?.aborted) throw new ImportStopped(state.done, checked.total);
  const { count, used } = await inTransaction(deps.db, async (trx) => {
    const started = performance.now();
    let inserted = 0;
    let n = 0;
    // A phone system's calls: the legs of the new ones written together at the end of the transaction.
    const newLegs: NewLeg[] = [];
    for (const { row, legs } of pending) {
      if (n > 0 && performance.now() - started >= sliceMs) break;
      const id = await insertCallIfNew(trx, row);
      if (id !== null) inserted += 1;
      if (legs?.length) {
        if (id === null) await recordLegsOfExistingCall(trx, row, legs);
        else for (const uniqueid of legs) newLegs.push({ call_id: id, uniqueid });
      }
      n += 1;
    }
    await insertNewLegs(trx, newLegs);
    await auditSlice(trx, actor, options, state, inserted, n);
    return { count: inserted, used: n };
  });
  state.created += count;
  state.done += used;
  state.pending = pending.slice(used);
  options.onProgress?.({ done: state.done, total: checked.total });
  // Time for other people's requests, each of which may need several queries, before the next slice.
  if (state.done < checked.total) await new Promise((resolve) => setTimeout(resolve, pauseMs));
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
  const rows = await rowSource(deps, file, options.format ?? 'callscore');
  const checked = await checkFile(deps, actor, rows, options);
  options.onProgress?.({ done: 0, total: checked.total });
  const state: WriteState = { checked, now: isoNow(deps.clock), created: 0, done: 0, pending: [] };
  if (checked.total > 0) await withBulkPageCache(deps.db, () => writeFile(deps, actor, rows, options, state));
  return { created: state.created, unchanged: checked.total - state.created, errors: checked.errors };
}

/** The second reading: the good lines written, `batchRows` read ahead at most. */
async function writeFile(deps: AppDeps, actor: Actor, rows: RowSource, options: ImportOptions, state: WriteState) {
  const batchRows = options.batchRows ?? IMPORT_BATCH_ROWS;
  const { checked } = state;
  for await (const row of rows()) {
    if (checked.refused.has(row.line)) continue;
    const fields = parseInput(callFieldsSchema, row.values);
    const placement = checked.placements.get(placementKey(fields));
    if (!placement || placement instanceof Error) {
      throw new Error(`Line ${row.line} was found good by the check but has no placement.`);
    }
    state.pending.push({ row: callRow(fields, placement, state.now, actor.id), legs: row.legs });
    while (state.pending.length >= batchRows) await writeSlice(deps, actor, options, state);
  }
  while (state.pending.length > 0) await writeSlice(deps, actor, options, state);
}
