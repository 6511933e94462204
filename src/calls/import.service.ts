import { parse } from 'csv-parse/sync';
import { recordAudit } from '../audit/audit.queries';
import type { NewCall } from '../db/schema';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Validation } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { teamScope, type Actor } from '../policy/scope';
import { insertCallIfNew } from './calls.queries';
import { callFieldsSchema, REQUIRED_CSV_COLUMNS } from './calls.schemas';
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

/** Parses CSV text with a header row. A broken header or unreadable file is a Validation error. */
export function parseCallsCsv(text: string, required: readonly string[] = REQUIRED_CSV_COLUMNS): CsvRow[] {
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
  const header = records[0].record.map((h) => h.trim().toLowerCase());
  const missing = required.filter((column) => !header.includes(column));
  if (missing.length) {
    const message = `Missing column${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}.`;
    throw new Validation([{ path: 'csv', message }], message);
  }
  if (records.length - 1 > MAX_IMPORT_ROWS) {
    const message = `At most ${MAX_IMPORT_ROWS} rows per file; split it.`;
    throw new Validation([{ path: 'csv', message }], message);
  }
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

/**
 * Imports call records without audio (an ACD export). Every line is checked first; good lines land in one
 * transaction, bad ones come back with their line number. Idempotent on (source, external_id).
 */
export async function importCalls(deps: AppDeps, actor: Actor, text: string, ip?: string): Promise<ImportSummary> {
  const rows = parseCallsCsv(text);
  const scope = await teamScope(deps.db, actor);
  const now = isoNow(deps.clock);
  const errors: LineError[] = [];
  const seen = new Map<string, number>();
  const good: NewCall[] = [];
  const placements = new Map<string, Awaited<ReturnType<typeof placeCall>>>();
  for (const row of rows) {
    try {
      const fields = parseInput(callFieldsSchema, row.values);
      const key = `${fields.source ?? 'default'}\u0000${fields.external_id}`;
      const first = seen.get(key);
      if (first) throw new Error(`Duplicate of line ${first} (same external_id).`);
      seen.set(key, row.line);
      const placeKey = `${fields.agent ?? ''}\u0000${fields.team_id ?? ''}`;
      let placement = placements.get(placeKey);
      if (!placement) {
        placement = await placeCall(deps, scope, fields);
        placements.set(placeKey, placement);
      }
      good.push(callRow(fields, placement, now, actor.id));
    } catch (err) {
      errors.push({ line: row.line, message: describe(err) });
    }
  }
  const created = await deps.db.transaction().execute(async (trx) => {
    let count = 0;
    for (const values of good) if ((await insertCallIfNew(trx, values)) !== null) count += 1;
    if (count > 0) {
      await recordAudit(trx, now, {
        actorId: actor.id,
        action: 'calls.imported',
        details: { created: count, unchanged: good.length - count, errors: errors.length },
        ip,
      });
    }
    return count;
  });
  return { created, unchanged: good.length - created, errors };
}
