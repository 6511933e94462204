// Generated phone system CDR files, written the way Asterisk's cdr_csv and FreeSWITCH's mod_cdr_csv write them.

export interface AsteriskLeg {
  src?: string;
  dst: string;
  dcontext: string;
  clid?: string | Buffer;
  channel: string;
  dstchannel: string;
  lastapp?: string;
  lastdata?: string;
  start: string;
  answer?: string;
  end: string;
  billsec: number;
  disposition: 'ANSWERED' | 'NO ANSWER' | 'BUSY' | 'FAILED';
  uniqueid: string;
  linkedid: string;
}

export type Layout = 16 | 18 | 21;

/** cdr_csv's append_string: always quoted, quotes doubled. Buffers carry bytes that are not UTF-8. */
function quoted(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const doubled = Buffer.from(bytes.toString('latin1').replace(/"/g, '""'), 'latin1');
  return Buffer.concat([Buffer.from('"'), doubled, Buffer.from('"')]);
}

/** cdr_csv's append_date: a zero time is nothing at all (",,"), not "". */
const date = (value: string | undefined) => (value ? quoted(value) : Buffer.alloc(0));
const int = (n: number) => Buffer.from(String(n));

export function asteriskLine(leg: AsteriskLeg, layout: Layout): Buffer {
  const duration = Math.round((Date.parse(`${leg.end}Z`) - Date.parse(`${leg.start}Z`)) / 1000);
  const fields: Buffer[] = [
    quoted(''),
    quoted(leg.src ?? '5551234'),
    quoted(leg.dst),
    quoted(leg.dcontext),
    quoted(leg.clid ?? '"Caller" <5551234>'),
    quoted(leg.channel),
    quoted(leg.dstchannel),
    quoted(leg.lastapp ?? 'Dial'),
    quoted(leg.lastdata ?? `${leg.dstchannel.split('-')[0] ?? ''},30,tTr`),
    date(leg.start),
    date(leg.answer),
    date(leg.end),
    int(duration),
    int(leg.billsec),
    quoted(leg.disposition),
    quoted('DOCUMENTATION'),
  ];
  if (layout >= 18) fields.push(quoted(leg.uniqueid), quoted(''));
  if (layout === 21) fields.push(quoted(''), quoted(leg.linkedid), int(1));
  const parts: Buffer[] = [];
  fields.forEach((f, i) => parts.push(...(i ? [Buffer.from(','), f] : [f])));
  return Buffer.concat([...parts, Buffer.from('\n')]);
}

export function asteriskFile(legs: AsteriskLeg[], layout: Layout): Buffer {
  return Buffer.concat(legs.map((leg) => asteriskLine(leg, layout)));
}

export interface FreeswitchLeg {
  name?: string | Buffer;
  number: string;
  destination: string;
  context: string;
  start: string;
  answer?: string;
  end: string;
  billsec: number;
  cause: string;
  uuid: string;
  bleg?: string;
}

/** mod_cdr_csv's "example" template: every field quoted (FreeSWITCH escapes a quote by doubling it). */
export function freeswitchFile(legs: FreeswitchLeg[]): Buffer {
  return Buffer.concat(
    legs.map((leg) => {
      const duration = Math.round((Date.parse(`${leg.end}Z`) - Date.parse(`${leg.start}Z`)) / 1000);
      const fields = [
        quoted(leg.name ?? 'Caller'),
        quoted(leg.number),
        quoted(leg.destination),
        quoted(leg.context),
        quoted(leg.start),
        quoted(leg.answer ?? ''),
        quoted(leg.end),
        quoted(String(duration)),
        quoted(String(leg.billsec)),
        quoted(leg.cause),
        quoted(leg.uuid),
        quoted(leg.bleg ?? ''),
        quoted(''),
        quoted('PCMU'),
        quoted('PCMU'),
      ];
      const parts: Buffer[] = [];
      fields.forEach((f, i) => parts.push(...(i ? [Buffer.from(','), f] : [f])));
      return Buffer.concat([...parts, Buffer.from('\n')]);
    }),
  );
}
