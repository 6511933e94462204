import fsp from 'node:fs/promises';
import type { AppDeps } from '../deps';
import { AppError, Validation } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { callFieldsSchema, ingestCall, placeCall } from '../calls';
import { teamScope, type Actor } from '../policy';
import type { StagedFile } from '../recordings';
import { parseCallsCsv, type CsvRow } from './csv';

export type BulkMode = 'all' | 'given_files' | 'no_recording';

export const MAX_CSV_BYTES = 50 * 1024 * 1024;

/**
 * Lines in a bulk upload's CSV. It is read into memory, and again with each file the page sends, so it is
 * kept to what a person uploads with recordings; a larger ACD export goes to the import, which streams.
 */
export const MAX_BULK_ROWS = 10_000;

function parseBulkCsv(text: string) {
  return parseCallsCsv(
    text,
    undefined,
    MAX_BULK_ROWS,
    `At most ${MAX_BULK_ROWS.toLocaleString('en-US')} lines per bulk upload. Split the file, or add call records without their recordings with Import call records.`,
  );
}

export interface FileOutcome {
  line: number | null;
  file: string | null;
  external_id: string | null;
  status: 'created' | 'unchanged' | 'refused';
  message: string;
  call_id: number | null;
}

/** The staged CSV's path on disk, after the same checks as readCsv. */
export function csvFile(deps: AppDeps, staged: StagedFile | undefined): string {
  if (!staged) throw new Validation([{ path: 'csv', message: 'Choose the CSV file with the calls.' }]);
  if (staged.size > MAX_CSV_BYTES)
    throw new Validation([{ path: 'csv', message: 'The CSV is larger than 50 MB; split it.' }]);
  return deps.storage.stagedPath(staged.stagedName);
}

export async function readCsv(deps: AppDeps, staged: StagedFile | undefined): Promise<string> {
  return fsp.readFile(csvFile(deps, staged), 'utf8');
}

function message(err: unknown): string {
  if (err instanceof Validation) return err.details.map((d) => d.message).join(' ');
  if (err instanceof AppError) return err.message;
  throw err;
}

/** Dry run for the bulk page: which lines are valid and which file each expects, before anything uploads. */
export async function checkBulkCsv(deps: AppDeps, actor: Actor, text: string) {
  const rows = parseBulkCsv(text);
  const scope = await teamScope(deps.db, actor);
  const checked = [];
  for (const row of rows) {
    let error: string | null = null;
    try {
      await placeCall(deps, scope, parseInput(callFieldsSchema, row.values));
    } catch (err) {
      error = message(err);
    }
    checked.push({
      line: row.line,
      external_id: row.values.external_id ?? '',
      recording: row.values.recording || null,
      transcript: row.values.transcript || null,
      error,
    });
  }
  return { rows: checked };
}

/**
 * Bulk upload: CSV lines matched to the files sent with them by name: the `recording` column names the audio,
 * the `transcript` column the transcript (WebVTT, SRT, JSON or text). Mode `all` handles every line (the plain
 * form); the page's script sends one recording (with its transcript) per request with `given_files` (only
 * lines whose recording is in this request) and then `no_recording` (only lines without a recording).
 */
export async function ingestBulk(
  deps: AppDeps,
  actor: Actor,
  text: string,
  files: StagedFile[],
  mode: BulkMode,
  ip?: string,
): Promise<FileOutcome[]> {
  const rows = parseBulkCsv(text);
  const byName = new Map(files.map((f) => [f.originalName, f]));
  const usedBy = new Map<string, number>();
  const outcomes: FileOutcome[] = [];
  for (const row of rows) {
    const wanted = row.values.recording || null;
    const file = wanted ? byName.get(wanted) : undefined;
    if (mode === 'given_files' && !file) continue;
    if (mode === 'no_recording' && wanted) continue;
    const refused = alreadyUsed(row, usedBy);
    if (refused) {
      outcomes.push(refused);
      continue;
    }
    outcomes.push(await ingestRow(deps, actor, row, byName, ip));
  }
  for (const file of files) {
    if (usedBy.has(file.originalName)) continue;
    outcomes.push({
      line: null,
      file: file.originalName,
      external_id: null,
      status: 'refused',
      message: 'No line of the CSV names this file in its recording or transcript column.',
      call_id: null,
    });
  }
  return outcomes;
}

/** A line naming a file an earlier line already took is refused; otherwise its files are marked as taken. */
function alreadyUsed(row: CsvRow, usedBy: Map<string, number>): FileOutcome | null {
  for (const kind of ['recording', 'transcript'] as const) {
    const name = row.values[kind] || null;
    const earlier = name ? usedBy.get(name) : undefined;
    if (name && earlier !== undefined) {
      return {
        line: row.line,
        file: name,
        external_id: row.values.external_id || null,
        status: 'refused',
        message: `${name} is already the ${kind} of line ${earlier}.`,
        call_id: null,
      };
    }
  }
  for (const kind of ['recording', 'transcript'] as const) {
    const name = row.values[kind];
    if (name) usedBy.set(name, row.line);
  }
  return null;
}

async function ingestRow(
  deps: AppDeps,
  actor: Actor,
  row: CsvRow,
  byName: Map<string, StagedFile>,
  ip?: string,
): Promise<FileOutcome> {
  const wanted = row.values.recording || null;
  const base = { line: row.line, file: wanted, external_id: row.values.external_id || null };
  const files: { recording?: StagedFile; transcript?: StagedFile } = {};
  for (const kind of ['recording', 'transcript'] as const) {
    const name = row.values[kind];
    if (!name) continue;
    const file = byName.get(name);
    if (!file)
      return { ...base, status: 'refused', message: `${name} was not among the uploaded files.`, call_id: null };
    files[kind] = file;
  }
  try {
    const result = await ingestCall(deps, actor, row.values, files, ip);
    return {
      ...base,
      status: result.created ? 'created' : 'unchanged',
      message: result.created ? 'Stored.' : 'Already stored earlier; nothing changed.',
      call_id: result.call.id,
    };
  } catch (err) {
    return { ...base, status: 'refused', message: message(err), call_id: null };
  }
}
