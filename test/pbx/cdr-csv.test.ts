// The CDR import's own record reader (src/imports/cdr-csv.ts) against the general CSV reader it replaced
// (csv-parse with relax_quotes, csvRecords(file, _, true)): the same records and line numbers on messy input,
// whatever the chunk size, so a record split across two reads is still read whole.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cdrRecordBatches } from '../../src/imports/cdr-csv';
import { csvRecords } from '../../src/imports/csv';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdr-csv-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

async function collect(it: AsyncIterable<{ record: string[]; line: number }>) {
  const out: Array<{ record: string[]; line: number }> = [];
  for await (const { record, line } of it) out.push({ record, line });
  return out;
}

/** The reader's records one by one, as the import reads them: in batches, `keep` columns only. */
async function* cdrRecords(file: string, chunkBytes: number, keep?: readonly boolean[]) {
  for await (const batch of cdrRecordBatches(file, undefined, { chunkBytes, keep })) yield* batch;
}

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

const CASES: Array<[string, string | Buffer]> = [
  ['plain LF', '"","100","200","from-internal","a","b","c"\n"","101","201","from-trunk","d","e","f"\n'],
  ['CRLF and a blank line', 'a,b,c\r\n\r\nd,e,f\r\n'],
  ['lone CR line ends', 'a,b,c\rd,e,f\r'],
  ['doubled quotes in a quoted field', '"Smith, ""Bob""",100,200\n"x",1,2\n'],
  ['a quote inside an unquoted field', 'Bob "the builder" Smith,100,200\nx,1,2\n'],
  ['a line break inside a quoted field', '"line one\nline two",1,2\n"next",3,4\n'],
  ['spaces around fields', '  a ,  "b"  , c  \n d,e ,f\n'],
  ['empty fields', ',,\n"",,""\n'],
  ['no line end at the end', 'a,b\nc,d'],
  ['a byte-order mark', '\uFEFFa,b\nc,d\n'],
  ['a Latin-1 caller name', Buffer.concat([Buffer.from('"Jos'), Buffer.from([0xe9]), Buffer.from('",1,2\nx,3,4\n')])],
];

describe('CDR record reader', () => {
  test.each(CASES)('%s: the same records and lines as csv-parse', async (name, content) => {
    const file = write(`${name.replace(/\W+/g, '-')}.csv`, content);
    const expected = await collect(csvRecords(file, undefined, true));
    expect(expected.length).toBeGreaterThan(0);
    for (const chunkBytes of [1, 2, 3, 7, 64 * 1024]) {
      expect({ chunkBytes, records: await collect(cdrRecords(file, chunkBytes)) }).toEqual({
        chunkBytes,
        records: expected,
      });
    }
  });

  test.each(CASES)(
    '%s: with some columns kept, those read the same and the others come as empty',
    async (name, content) => {
      const file = write(`kept-${name.replace(/\W+/g, '-')}.csv`, content);
      const full = await collect(cdrRecords(file, 64 * 1024));
      const keep = [true, false, true];
      for (const chunkBytes of [1, 3, 64 * 1024]) {
        expect(await collect(cdrRecords(file, chunkBytes, keep))).toEqual(
          full.map(({ record, line }) => ({ record: record.map((v, i) => (keep[i] ? v : '')), line })),
        );
      }
    },
  );

  test('a CRLF inside a quoted field counts as one line (csv-parse counts two there), at any chunk size', async () => {
    const file = write('crlf-in-quotes.csv', '"line one\r\nline two",1,2\r\n"next",3,4\r\n');
    for (const chunkBytes of [1, 2, 3, 7, 64 * 1024]) {
      expect(await collect(cdrRecords(file, chunkBytes))).toEqual([
        { record: ['line one\r\nline two', '1', '2'], line: 2 },
        { record: ['next', '3', '4'], line: 3 },
      ]);
    }
  });

  test('a generated file of 2,000 records with every oddity above reads the same at any chunk size', async () => {
    const oddities = ['plain', '"Smith, ""Bob"""', 'Bob "x" Smith', '"two\nlines"', ' padded ', ''];
    const lines: string[] = [];
    for (let i = 0; i < 2000; i += 1) {
      lines.push([`"${i}"`, oddities[i % oddities.length], String(i * 7), `"ctx-${i % 5}"`].join(','));
      if (i % 97 === 0) lines.push('');
    }
    const file = write('generated.csv', lines.join('\r\n') + '\r\n');
    const expected = await collect(csvRecords(file, undefined, true));
    expect(expected).toHaveLength(2000);
    for (const chunkBytes of [5, 4096]) {
      expect(await collect(cdrRecords(file, chunkBytes))).toEqual(expected);
    }
  });
});
