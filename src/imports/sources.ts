import type { AppDeps } from '../deps';
import { pbxImportSettings } from '../settings';
import { extensionDirectory } from '../users';
import { csvRows, type CsvRow } from './csv';
import { pbxCallRows } from './pbx-calls';

export const IMPORT_FORMATS = ['callscore', 'asterisk', 'freeswitch'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** Reads a file's calls as rows of our CSV import; called once for the check and once for the writing. */
export type RowSource = (onBytes?: (bytesRead: number) => void) => AsyncGenerator<CsvRow>;

/**
 * The rows of a file in `format`. A phone system's file needs the extensions and settings, read once here
 * so both passes over the file see the same ones. Its calls are known only once the whole file is read (a
 * call's legs lie apart), so they are held anyway: the check's rows are kept and the writing reuses them
 * rather than reading, parsing and grouping the file a second time (the larger part of a CDR import's own
 * cost). The rows replace the legs they were built from, so memory peaks no higher than one pass did.
 */
export async function rowSource(deps: AppDeps, file: string, format: ImportFormat): Promise<RowSource> {
  if (format === 'callscore') return (onBytes) => csvRows(file, onBytes);
  const [directory, settings] = await Promise.all([extensionDirectory(deps.db), pbxImportSettings(deps.db)]);
  const context = {
    format,
    directory: new Map(directory.map((d) => [d.extension, d.username])),
    inboundContexts: new Set(settings.inboundContexts),
    timeZone: settings.timeZone,
  };
  let read: Promise<CsvRow[]> | null = null;
  return async function* pbxRows(onBytes) {
    read ??= pbxCallRows(file, context, onBytes);
    yield* await read;
  };
}

/** The format a request names (`callscore` when it names none); anything else is refused. */
export function importFormatOf(value: unknown): ImportFormat | null {
  if (value === undefined || value === '') return 'callscore';
  return (IMPORT_FORMATS as readonly unknown[]).includes(value) ? (value as ImportFormat) : null;
}
