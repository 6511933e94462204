import { Validation } from '../lib/errors';
import { cdrRecordBatches } from './cdr-csv';
import type { CsvRow } from './csv';
import { COLUMNS_READ, extensionIn, legOf, localToUtc, type Leg, type PbxFormat } from './pbx-legs';

// A phone system's CDR file read as calls: its legs grouped by call, each call as the columns of our CSV
// import, so the same checks, idempotence and writing apply.

export interface PbxContext {
  format: PbxFormat;
  /** Extension → username of the person who has it. */
  directory: Map<string, string>;
  inboundContexts: Set<string>;
  timeZone: string;
}

const FORMAT_NAME: Record<PbxFormat, string> = { asterisk: 'an Asterisk CDR', freeswitch: 'a FreeSWITCH CDR' };

/** Digits only: what a person's extension looks like, unlike a trunk's or ring group's channel name. */
const looksLikeExtension = (ext: string | null): ext is string => ext !== null && /^\d+$/.test(ext);

interface ReadFile {
  legs: Leg[];
  errors: CsvRow[];
}

async function readLegs(file: string, context: PbxContext, onBytes?: (n: number) => void): Promise<ReadFile> {
  const read: ReadFile = { legs: [], errors: [] };
  const toLeg = legOf[context.format];
  for await (const batch of cdrRecordBatches(file, onBytes, { keep: COLUMNS_READ[context.format] })) {
    for (const { record, line } of batch) {
      if (record.length === 1 && record[0] === '') continue;
      try {
        read.legs.push(toLeg(record, line));
      } catch (err) {
        read.errors.push({ line, values: {}, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
  if (read.legs.length === 0) {
    const why = read.errors[0]?.error ?? 'The file is empty.';
    const message = `This is not ${FORMAT_NAME[context.format]} file: ${why}`;
    throw new Validation([{ path: 'csv', message }], message);
  }
  return read;
}

/**
 * The legs of each call, in the order of the call's first line (FreeSWITCH B legs join their A leg and take
 * its id: the legs are this read's own, so they are changed in place).
 */
function groupLegs(legs: Leg[]): Leg[][] {
  const aLegOf = new Map<string, string>();
  for (const leg of legs) if (leg.uuid && leg.blegUuid) aLegOf.set(leg.blegUuid, leg.uuid);
  const calls = new Map<string, Leg[]>();
  for (const leg of legs) {
    const aLeg = leg.uuid === undefined ? undefined : aLegOf.get(leg.uuid);
    if (aLeg) leg.callId = aLeg;
    const group = calls.get(leg.callId);
    if (group) group.push(leg);
    else calls.set(leg.callId, [leg]);
  }
  return [...calls.values()];
}

const utc = (local: string, zone: string) => localToUtc(local, zone);
const secondsBetween = (from: Date, to: Date) => Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));

/** The legs a call needs the extensions of, with them: what each reached, or what placed it. */
function withExtension(legs: Leg[], context: PbxContext, side: 'reached' | 'caller'): Array<[Leg, string | null]> {
  const extension = extensionIn[context.format];
  return legs.map((leg) => [leg, extension(leg[side])]);
}

function inboundCall(legs: Leg[], context: PbxContext, start: Date): Record<string, string> {
  const answered = withExtension(
    legs.filter((l) => l.answered).sort((a, b) => (a.answer ?? '').localeCompare(b.answer ?? '')),
    context,
    'reached',
  );
  const [leg, ext] = answered.find(([, e]) => e !== null && context.directory.has(e)) ?? [];
  if (leg?.answer && ext) {
    return {
      agent: context.directory.get(ext) ?? '',
      queue_wait_s: String(secondsBetween(start, utc(leg.answer, context.timeZone))),
      duration_s: String(leg.billsec),
      abandoned: 'false',
    };
  }
  // Answered at what looks like a person's extension that nobody has: refused, not counted as abandoned.
  const stranger = answered.find(([, ext]) => looksLikeExtension(ext));
  if (stranger) {
    throw new Error(
      `Answered at extension ${stranger[1]}, which no person has. Set it on their page under People and import again.`,
    );
  }
  return { agent: '', queue_wait_s: '0', duration_s: '0', abandoned: 'true' };
}

function outboundCall(legs: Leg[], context: PbxContext): Record<string, string> {
  const callers = withExtension(legs, context, 'caller');
  const placer = callers.find(([, ext]) => ext !== null && context.directory.has(ext))?.[1];
  if (!placer) {
    const ext = callers.find(([, e]) => e)?.[1];
    throw new Error(
      ext
        ? `An outbound call placed from ${ext}, which is no person's extension.`
        : 'An outbound call with no extension that placed it.',
    );
  }
  const answered = legs.find((l) => l.answered);
  return {
    agent: context.directory.get(placer) ?? '',
    queue_wait_s: '0',
    duration_s: String(answered?.billsec ?? 0),
    abandoned: 'false',
  };
}

/** The uniqueids of a call's legs, each once, but for the call's own id (its external_id finds it). */
function legIdsOf(legs: Leg[], callId: string): string[] {
  const ids = new Set<string>();
  for (const leg of legs) if (leg.legId && leg.legId !== callId) ids.add(leg.legId);
  return [...ids];
}

/** One call's values in our CSV import's columns, or the reason it can't be imported. */
function callRowOf(legs: Leg[], context: PbxContext): CsvRow {
  const first = legs.reduce((a, b) => (b.start < a.start || (b.start === a.start && b.line < a.line) ? b : a));
  const line = Math.min(...legs.map((l) => l.line));
  try {
    const start = utc(first.start, context.timeZone);
    const inbound = legs.some((l) => context.inboundContexts.has(l.context));
    const outcome = inbound ? inboundCall(legs, context, start) : outboundCall(legs, context);
    const externalId = first.idIsChannel ? `${first.callId}@${first.start}` : first.callId;
    const values = {
      external_id: externalId,
      source: context.format,
      started_at: start.toISOString(),
      direction: inbound ? 'inbound' : 'outbound',
      queue: inbound ? first.dst.slice(0, 100) : '',
      ...outcome,
    };
    return { line, values, legs: legIdsOf(legs, externalId) };
  } catch (err) {
    return { line, values: {}, error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * The calls of a phone system's CDR file as rows of our CSV import, in file order. The file is streamed;
 * only a few fields of each leg are held until the end, since a call's legs are written as each ends and so
 * lie apart in the file. A file with no line in the format is refused whole.
 */
export async function pbxCallRows(
  file: string,
  context: PbxContext,
  onBytes?: (bytesRead: number) => void,
): Promise<CsvRow[]> {
  const { legs, errors } = await readLegs(file, context, onBytes);
  // Both in line order already: a call's row has its first line, and calls come in the order of those.
  return mergeByLine(
    groupLegs(legs).map((group) => callRowOf(group, context)),
    errors,
  );
}

/** Two lists in line order as one. */
function mergeByLine(a: CsvRow[], b: CsvRow[]): CsvRow[] {
  if (b.length === 0) return a;
  const out: CsvRow[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && (a[i]?.line ?? 0) <= (b[j]?.line ?? 0)) ? a[i++] : b[j++];
    if (next) out.push(next);
  }
  return out;
}
