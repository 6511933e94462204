import { Validation } from '../lib/errors';
import { cdrRecords } from './cdr-csv';
import type { CallLegIds, CsvRow } from './csv';
import { legOf, localToUtc, type Leg, type PbxFormat } from './pbx-legs';

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
  for await (const { record, line } of cdrRecords(file, onBytes)) {
    if (record.length === 1 && record[0] === '') continue;
    try {
      read.legs.push(toLeg(record, line));
    } catch (err) {
      read.errors.push({ line, values: {}, error: err instanceof Error ? err.message : String(err) });
    }
  }
  if (read.legs.length === 0) {
    const why = read.errors[0]?.error ?? 'The file is empty.';
    const message = `This is not ${FORMAT_NAME[context.format]} file: ${why}`;
    throw new Validation([{ path: 'csv', message }], message);
  }
  return read;
}

/** The legs of each call, in the order of the call's first line (FreeSWITCH B legs join their A leg). */
function groupLegs(legs: Leg[]): Leg[][] {
  const aLegOf = new Map<string, string>();
  for (const leg of legs) if (leg.uuid && leg.blegUuid) aLegOf.set(leg.blegUuid, leg.uuid);
  const calls = new Map<string, Leg[]>();
  for (const leg of legs) {
    const id = (leg.uuid && aLegOf.get(leg.uuid)) || leg.callId;
    const group = calls.get(id);
    if (group) group.push(leg);
    else calls.set(id, [leg]);
  }
  return [...calls.entries()].map(([id, group]) => group.map((leg) => ({ ...leg, callId: id })));
}

const utc = (local: string, zone: string) => localToUtc(local, zone);
const secondsBetween = (from: Date, to: Date) => Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));

function inboundCall(legs: Leg[], context: PbxContext, start: Date): Record<string, string> {
  const answered = legs.filter((l) => l.answered).sort((a, b) => (a.answer ?? '').localeCompare(b.answer ?? ''));
  const byPerson = answered.find((l) => l.reachedExt !== null && context.directory.has(l.reachedExt));
  if (byPerson?.answer && byPerson.reachedExt) {
    return {
      agent: context.directory.get(byPerson.reachedExt) ?? '',
      queue_wait_s: String(secondsBetween(start, utc(byPerson.answer, context.timeZone))),
      duration_s: String(byPerson.billsec),
      abandoned: 'false',
    };
  }
  // Answered at what looks like a person's extension that nobody has: refused, not counted as abandoned.
  const stranger = answered.find((l) => looksLikeExtension(l.reachedExt));
  if (stranger) {
    throw new Error(
      `Answered at extension ${stranger.reachedExt}, which no person has. Set it on their page under People and import again.`,
    );
  }
  return { agent: '', queue_wait_s: '0', duration_s: '0', abandoned: 'true' };
}

function outboundCall(legs: Leg[], context: PbxContext): Record<string, string> {
  const placer = legs.find((l) => l.callerExt !== null && context.directory.has(l.callerExt));
  if (!placer?.callerExt) {
    const ext = legs.find((l) => l.callerExt)?.callerExt;
    throw new Error(
      ext
        ? `An outbound call placed from ${ext}, which is no person's extension.`
        : 'An outbound call with no extension that placed it.',
    );
  }
  const answered = legs.find((l) => l.answered);
  return {
    agent: context.directory.get(placer.callerExt) ?? '',
    queue_wait_s: '0',
    duration_s: String(answered?.billsec ?? 0),
    abandoned: 'false',
  };
}

/** The ids of a call's legs that have one, each once. */
function legIdsOf(legs: Leg[]): CallLegIds[] {
  const ids = new Map<string, CallLegIds>();
  for (const leg of legs) {
    if (leg.legId && !ids.has(leg.legId))
      ids.set(leg.legId, { uniqueid: leg.legId, linkedid: leg.linkedId ?? leg.callId });
  }
  return [...ids.values()];
}

/** One call's values in our CSV import's columns, or the reason it can't be imported. */
function callRowOf(legs: Leg[], context: PbxContext): CsvRow {
  const first = legs.reduce((a, b) => (b.start < a.start || (b.start === a.start && b.line < a.line) ? b : a));
  const line = Math.min(...legs.map((l) => l.line));
  try {
    const start = utc(first.start, context.timeZone);
    const inbound = legs.some((l) => context.inboundContexts.has(l.context));
    const outcome = inbound ? inboundCall(legs, context, start) : outboundCall(legs, context);
    const values = {
      external_id: first.idIsChannel ? `${first.callId}@${first.start}` : first.callId,
      source: context.format,
      started_at: start.toISOString(),
      direction: inbound ? 'inbound' : 'outbound',
      queue: inbound ? first.dst.slice(0, 100) : '',
      ...outcome,
    };
    return { line, values, legs: legIdsOf(legs) };
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
  const rows = groupLegs(legs).map((group) => callRowOf(group, context));
  return [...rows, ...errors].sort((a, b) => a.line - b.line);
}
