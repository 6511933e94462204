// One line of a phone system's CDR file as a call leg: Asterisk's cdr_csv Master.csv and FreeSWITCH's
// mod_cdr_csv default ("example") template.

export type PbxFormat = 'asterisk' | 'freeswitch';

export interface Leg {
  line: number;
  /** The call this leg belongs to: linkedid, else uniqueid (Asterisk); the A leg's uuid (FreeSWITCH). */
  callId: string;
  /** 16 columns carry no id: the caller's channel groups the legs, and the call is named by it and its start. */
  idIsChannel?: boolean;
  /** FreeSWITCH: this leg's uuid and its B leg's, to join the legs of one call once the file is read. */
  uuid?: string;
  blegUuid?: string;
  /** This leg's own id (Asterisk uniqueid, FreeSWITCH uuid): what a recording is named by, with the call's id. */
  legId?: string;
  context: string;
  dst: string;
  /** Local times as written (YYYY-MM-DD HH:MM:SS); answer null when nobody answered. */
  start: string;
  answer: string | null;
  billsec: number;
  answered: boolean;
  /**
   * What the leg reached (Asterisk dstchannel, FreeSWITCH destination_number) and what placed it (channel,
   * caller_id_number), as written: `extensionIn` reads the extension out, only for the legs a call needs.
   */
  reached: string;
  caller: string;
}

const LOCAL_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/**
 * The extension in a channel name: PJSIP/1001-0000002a → 1001, Local/1001@from-queue-0000001f;1 → 1001,
 * SIP/trunk-out-00000003 → trunk-out.
 */
export function channelExtension(channel: string): string | null {
  const match = /^[A-Za-z0-9_]+\/(.+?)(-[0-9a-fA-F]+)?(;\d+)?$/.exec(channel.trim());
  const name = match?.[1]?.split('@')[0];
  return name || null;
}

function localTime(value: string, column: string, required: boolean): string | null {
  const text = value.trim().slice(0, 19);
  if (text === '' && !required) return null;
  if (!LOCAL_TIME.test(text)) throw new Error(`${column} is not a date and time (YYYY-MM-DD HH:MM:SS): "${value}".`);
  return text;
}

function seconds(value: string, column: string): number {
  const n = Number(value.trim() || '0');
  if (!Number.isInteger(n) || n < 0) throw new Error(`${column} is not a whole number of seconds: "${value}".`);
  return n;
}

const col = (record: string[], i: number) => record[i] ?? '';

/**
 * Asterisk's cdr_csv (cdr/cdr_csv.c build_csv_record): accountcode, src, dst, dcontext, clid, channel,
 * dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags; then uniqueid
 * and userfield with loguniqueid/loguserfield (18); then peeraccount, linkedid, sequence with newcdrcolumns
 * (21, or 19 without the two before). With 16 columns a call has no id: its caller's channel stands in.
 */
export function asteriskLeg(record: string[], line: number): Leg {
  const n = record.length;
  if (n !== 16 && n !== 18 && n !== 19 && n !== 21) {
    throw new Error(`An Asterisk CDR line has 16, 18 or 21 columns; this one has ${n}.`);
  }
  const channel = col(record, 5);
  const start = localTime(col(record, 9), 'start', true) ?? '';
  const uniqueid = n >= 18 && n !== 19 ? col(record, 16) : '';
  const linkedid = n === 21 ? col(record, 19) : n === 19 ? col(record, 17) : '';
  const callId = (linkedid || uniqueid || channel).trim();
  if (!callId) throw new Error('The line has no uniqueid, linkedid or channel to tell its call by.');
  const answer = localTime(col(record, 10), 'answer', false);
  const disposition = col(record, 14).trim().toUpperCase();
  return {
    line,
    callId,
    idIsChannel: !linkedid && !uniqueid,
    legId: uniqueid.trim() || undefined,
    context: col(record, 3).trim(),
    dst: col(record, 2).trim(),
    start,
    answer,
    billsec: seconds(col(record, 13), 'billsec'),
    answered: disposition === 'ANSWERED' && answer !== null,
    reached: col(record, 6),
    caller: channel,
  };
}

/**
 * FreeSWITCH's mod_cdr_csv "example" template (conf/autoload_configs/cdr_csv.conf.xml): caller_id_name,
 * caller_id_number, destination_number, context, start_stamp, answer_stamp, end_stamp, duration, billsec,
 * hangup_cause, uuid, bleg_uuid, accountcode, read_codec, write_codec.
 */
export function freeswitchLeg(record: string[], line: number): Leg {
  if (record.length !== 15) {
    throw new Error(`A FreeSWITCH CDR line (default template) has 15 columns; this one has ${record.length}.`);
  }
  const uuid = col(record, 10).trim();
  if (!uuid) throw new Error('The line has no uuid.');
  const answer = localTime(col(record, 5), 'answer_stamp', false);
  const destination = col(record, 2).trim();
  return {
    line,
    callId: uuid,
    uuid,
    legId: uuid,
    blegUuid: col(record, 11).trim() || undefined,
    context: col(record, 3).trim(),
    dst: destination,
    start: localTime(col(record, 4), 'start_stamp', true) ?? '',
    answer,
    billsec: seconds(col(record, 8), 'billsec'),
    answered: answer !== null,
    reached: destination,
    caller: col(record, 1),
  };
}

/**
 * The columns each format's legs are read from (the rest come as '' from the reader, which costs a good part
 * of an import less). Column 0 is read too, so a line with one column is told from a blank one as before.
 */
export const COLUMNS_READ: Record<PbxFormat, readonly boolean[]> = {
  asterisk: columns(21, [0, 2, 3, 5, 6, 9, 10, 13, 14, 16, 17, 19]),
  freeswitch: columns(15, [0, 1, 2, 3, 4, 5, 8, 10, 11]),
};

function columns(count: number, read: number[]): boolean[] {
  return Array.from({ length: count }, (_, i) => read.includes(i));
}

/** The extension in a leg's `reached` or `caller`: a channel's name (Asterisk), the number itself (FreeSWITCH). */
export const extensionIn: Record<PbxFormat, (value: string) => string | null> = {
  asterisk: channelExtension,
  freeswitch: (value) => value.trim() || null,
};

export const legOf: Record<PbxFormat, (record: string[], line: number) => Leg> = {
  asterisk: asteriskLeg,
  freeswitch: freeswitchLeg,
};

const hourOffsets = new Map<string, number>();

/**
 * The UTC instant of a local wall-clock time in `zone`. Zones change offset on the hour, so the offset is
 * worked out once per zone and local hour (a file's legs share a few thousand hours at most).
 */
export function localToUtc(local: string, zone: string): Date {
  const asUtc = wallClockMs(local);
  if (zone === 'UTC') return new Date(asUtc);
  const key = `${zone} ${local.slice(0, 13)}`;
  let offset = hourOffsets.get(key);
  if (offset === undefined) {
    const hourStart = `${local.slice(0, 13)}:00:00`;
    offset = wallClockMs(hourStart) - exactLocalToUtc(hourStart, zone);
    if (hourOffsets.size > 100_000) hourOffsets.clear();
    hourOffsets.set(key, offset);
  }
  return new Date(asUtc - offset);
}

/** The number written in `local`'s characters from..to (digits only: LOCAL_TIME checked them). */
function digits(local: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + local.charCodeAt(i) - 48;
  return n;
}

function wallClockMs(local: string): number {
  return Date.UTC(
    digits(local, 0, 4),
    digits(local, 5, 7) - 1,
    digits(local, 8, 10),
    digits(local, 11, 13),
    digits(local, 14, 16),
    digits(local, 17, 19),
  );
}

/** The zone's offset found by asking Intl (the earlier instant when clocks go back). */
function exactLocalToUtc(local: string, zone: string): number {
  const asUtc = wallClockMs(local);
  // Two rounds settle on the zone's offset at that instant, across a change of offset too.
  let guess = asUtc - offsetMs(asUtc, zone);
  guess = asUtc - offsetMs(guess, zone);
  return guess;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function offsetMs(instant: number, zone: string): number {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return wall - Math.floor(instant / 1000) * 1000;
}
