import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import request from 'supertest';
import { MAX_CSV_BYTES } from '../../src/imports/bulk.service';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ImportJobs } from '../../src/imports/import-jobs';
import {
  importCallsFile,
  ImportStopped,
  type ImportOptions,
  type ImportProgress,
} from '../../src/imports/import.service';
import { Validation } from '../../src/lib/errors';
import { BULK_PAGE_CACHE_KIB, PAGE_CACHE_KIB } from '../../src/db/database';
import { makeTestApp, sqliteOf, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { auditActions, eventually, storageState, tokenFor } from './fixtures';

let ctx: TestContext;
let org: Org;

beforeEach(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
});
afterEach(async () => ctx.close());

const HEADER = 'external_id,agent,started_at,direction,category,queue_wait_s,hold_s,duration_s,csat';

function line(id: string, agent = org.csrA.username): string {
  return `${id},${agent},2026-11-02T09:00:00Z,inbound,returns,12,0,43.7,5`;
}

/** Writes a CSV into the test's data folder and returns its path. */
function csvFile(...lines: string[]): string {
  const file = path.join(ctx.dataDir, `import-${Math.random().toString(36).slice(2)}.csv`);
  fs.writeFileSync(file, `${[HEADER, ...lines].join('\n')}\n`);
  return file;
}

const manager = () => ({ id: org.manager.id, role: 'manager' as const });

async function externalIds(): Promise<string[]> {
  const rows = await ctx.deps.db.selectFrom('calls').select('external_id').orderBy('external_id').execute();
  return rows.map((r) => r.external_id);
}

/** Options that make each transaction exactly `batchRows` lines, whatever the machine's speed. */
const fixedSlices = (batchRows: number) => ({ batchRows, sliceMs: Number.POSITIVE_INFINITY, pauseMs: 0 });

describe('importCallsFile: a long import in several transactions', () => {
  test('the writes run with the larger page cache, and the smaller one is back after, a failure too', async () => {
    const cacheKib = () => -Number(sqliteOf(ctx.database).pragma('cache_size', { simple: true }));
    expect(cacheKib()).toBe(PAGE_CACHE_KIB);
    const during: number[] = [];
    await importCallsFile(ctx.deps, manager(), csvFile(line('c-1'), line('c-2'), line('c-3')), {
      ...fixedSlices(1),
      onProgress: () => during.push(cacheKib()),
    });
    // The first progress (done 0) comes after the check, before the writes.
    expect(during).toEqual([PAGE_CACHE_KIB, BULK_PAGE_CACHE_KIB, BULK_PAGE_CACHE_KIB, BULK_PAGE_CACHE_KIB]);
    expect(cacheKib()).toBe(PAGE_CACHE_KIB);
    const stop = new AbortController();
    const failed = importCallsFile(ctx.deps, manager(), csvFile(line('d-1'), line('d-2'), line('d-3')), {
      ...fixedSlices(1),
      signal: stop.signal,
      onProgress: (p) => {
        if (p.done === 1) stop.abort();
      },
    });
    await expect(failed).rejects.toBeInstanceOf(ImportStopped);
    expect(cacheKib()).toBe(PAGE_CACHE_KIB);
  });

  test('good lines land over several transactions with progress after each; bad lines come back', async () => {
    const good = Array.from({ length: 7 }, (_, i) => `s-${i}`);
    const file = csvFile(
      line(good[0]),
      line(good[1]),
      line('bad-agent', 'nobody.here'),
      line(good[2]),
      line(good[3]),
      line(good[4]),
      line(good[1]), // a duplicate of line 3
      line(good[5]),
      line(good[6]),
    );
    const progress: ImportProgress[] = [];
    const summary = await importCallsFile(ctx.deps, manager(), file, {
      ...fixedSlices(3),
      onProgress: (p) => progress.push(p),
    });
    expect(summary).toEqual({
      created: 7,
      unchanged: 0,
      errors: [
        { line: 4, message: 'No CSR named nobody.here in your teams.' },
        { line: 8, message: 'Duplicate of line 3 (same external_id).' },
      ],
    });
    expect(progress).toEqual([
      { done: 0, total: 7 },
      { done: 3, total: 7 },
      { done: 6, total: 7 },
      { done: 7, total: 7 },
    ]);
    expect(await externalIds()).toEqual([...good].sort());

    const started = await auditActions(ctx, 'calls.import_started');
    const finished = await auditActions(ctx, 'calls.imported');
    expect(started.map((a) => [a.actor_id, JSON.parse(a.details!)])).toEqual([
      [org.manager.id, { lines: 7, errors: 2 }],
    ]);
    expect(finished.map((a) => [a.actor_id, JSON.parse(a.details!)])).toEqual([
      [org.manager.id, { created: 7, unchanged: 0, errors: 2 }],
    ]);
    expect(started[0].id).toBeLessThan(finished[0].id);
  });

  test('an import that fits one transaction writes one audit entry, and none when nothing was new', async () => {
    const file = csvFile(line('one-1'), line('one-2'));
    expect(await importCallsFile(ctx.deps, manager(), file, fixedSlices(3))).toMatchObject({ created: 2 });
    expect(await importCallsFile(ctx.deps, manager(), file, fixedSlices(3))).toMatchObject({
      created: 0,
      unchanged: 2,
    });
    expect(await auditActions(ctx, 'calls.import_started')).toHaveLength(0);
    expect((await auditActions(ctx, 'calls.imported')).map((a) => JSON.parse(a.details!))).toEqual([
      { created: 2, unchanged: 0, errors: 0 },
    ]);
  });

  test('other queries run between the transactions and see the calls committed so far', async () => {
    const file = csvFile(...Array.from({ length: 6 }, (_, i) => line(`between-${i}`)));
    const seen = new Set<number>();
    let running = true;
    const watcher = (async () => {
      while (running) {
        const { n } = await ctx.deps.db
          .selectFrom('calls')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        seen.add(Number(n));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await importCallsFile(ctx.deps, manager(), file, { batchRows: 2, sliceMs: Number.POSITIVE_INFINITY, pauseMs: 40 });
    running = false;
    await watcher;
    // Counts seen mid-import: the other query was answered while the import was under way, and never saw
    // a transaction half-written (only whole slices of 2).
    expect([...seen].filter((n) => n > 0 && n < 6).sort()).toEqual([2, 4]);
  });

  test('a transaction ends when its time is up, however many lines are waiting', async () => {
    const file = csvFile(...Array.from({ length: 5 }, (_, i) => line(`slice-${i}`)));
    const progress: ImportProgress[] = [];
    // A slice of 0 ms writes one line per transaction (each writes at least one).
    await importCallsFile(ctx.deps, manager(), file, {
      batchRows: 100,
      sliceMs: 0,
      pauseMs: 0,
      onProgress: (p) => progress.push(p),
    });
    expect(progress.map((p) => p.done)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await externalIds()).toHaveLength(5);
  });
});

describe('importCallsFile: a file refused as a whole writes nothing', () => {
  async function expectRefused(file: string, message: RegExp, options: ImportOptions = fixedSlices(2)) {
    const error = await importCallsFile(ctx.deps, manager(), file, options).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Validation);
    expect((error as Validation).message).toMatch(message);
    expect(await externalIds()).toEqual([]);
    expect(await auditActions(ctx, 'calls.import_started')).toHaveLength(0);
    expect(await auditActions(ctx, 'calls.imported')).toHaveLength(0);
  }

  test('an unbalanced quote on the last line, after several transactions’ worth of good lines', async () => {
    const file = csvFile(...Array.from({ length: 6 }, (_, i) => line(`q-${i}`)), '"broken,csr,2026-11-02T09:00:00Z');
    await expectRefused(file, /could not be read/);
  });

  test('more lines than the limit', async () => {
    const file = csvFile(line('m-1'), line('m-2'), line('m-3'), line('m-4'));
    await expectRefused(file, /At most 3 rows per file; split it\./, { ...fixedSlices(2), maxRows: 3 });
  });

  test('a missing column, or an empty file', async () => {
    const missing = path.join(ctx.dataDir, 'missing.csv');
    fs.writeFileSync(missing, `external_id,agent,direction,duration_s\nx,${org.csrA.username},inbound,1\n`);
    await expectRefused(missing, /Missing column: started_at\./);
    const empty = path.join(ctx.dataDir, 'empty.csv');
    fs.writeFileSync(empty, '\n\n');
    await expectRefused(empty, /The CSV is empty\./);
  });

  test('exactly the limit is accepted', async () => {
    const file = csvFile(line('l-1'), line('l-2'), line('l-3'));
    expect(await importCallsFile(ctx.deps, manager(), file, { ...fixedSlices(2), maxRows: 3 })).toMatchObject({
      created: 3,
    });
  });
});

describe('importCallsFile: errors that are not the file’s fault', () => {
  test('a file that cannot be read rejects with that error, not a crash nor a hang', async () => {
    const error = await importCallsFile(ctx.deps, manager(), path.join(ctx.dataDir, 'gone.csv')).catch(
      (err: unknown) => err,
    );
    expect((error as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  test('stopped by its signal between transactions: what was added stays, and it says how far it got', async () => {
    const file = csvFile(...Array.from({ length: 6 }, (_, i) => line(`stop-${i}`)));
    const stop = new AbortController();
    const error = await importCallsFile(ctx.deps, manager(), file, {
      ...fixedSlices(2),
      signal: stop.signal,
      onProgress: (p) => {
        if (p.done === 4) stop.abort();
      },
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ImportStopped);
    expect((error as ImportStopped).status).toBe(503);
    expect((error as ImportStopped).message).toMatch(/stopped after adding 4 of 6 calls/);
    expect(await externalIds()).toHaveLength(4);
  });
});

describe('POST /api/v1/calls/import streams the body to disk', () => {
  let token: string;
  beforeEach(async () => {
    token = await tokenFor(ctx.app, org.manager.username);
  });

  const post = () => request(ctx.app).post('/api/v1/calls/import').set('Authorization', `Bearer ${token}`);
  const stagingEmpty = () => eventually(() => fs.readdirSync(ctx.deps.storage.stagingDir).length === 0);

  test('the staged body is gone once the import has answered, whether it succeeded or not', async () => {
    const ok = await post()
      .set('Content-Type', 'text/csv; charset=utf-8')
      .send(`${HEADER}\n${line('api-1')}\n`);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ created: 1, unchanged: 0, errors: [] });
    expect(await stagingEmpty()).toBe(true);

    const bad = await post().set('Content-Type', 'text/csv').send('external_id\nx\n');
    expect(bad.status).toBe(422);
    expect(await stagingEmpty()).toBe(true);
  });

  test('a body over the CSV limit is refused with 413 and nothing is kept', async () => {
    const before = await storageState(ctx);
    const big = Buffer.alloc(MAX_CSV_BYTES + 1024, 'a');
    const res = await post().set('Content-Type', 'text/csv').send(big);
    expect(res.status).toBe(413);
    expect(res.body.error.message).toBe('The body is larger than the 50 MB limit.');
    expect(await stagingEmpty()).toBe(true);
    expect(await storageState(ctx)).toEqual(before);
  });

  test('a compressed body or a charset other than UTF-8 is refused with 415, before anything is read', async () => {
    const csvText = `${HEADER}\n${line('enc-1')}\n`;
    const gz = await post()
      .set('Content-Type', 'text/csv')
      .set('Content-Encoding', 'gzip')
      .send(zlib.gzipSync(csvText));
    expect(gz.status).toBe(415);
    expect(gz.body.error.message).toBe('Send the CSV uncompressed.');
    const latin1 = await post().set('Content-Type', 'text/csv; charset=iso-8859-1').send(csvText);
    expect(latin1.status).toBe(415);
    expect(latin1.body.error.message).toBe('Send the CSV as UTF-8.');
    expect(await externalIds()).toEqual([]);
    expect(await stagingEmpty()).toBe(true);
  });

  test('a body that is not UTF-8 is refused with 422 even without a charset, and nothing lands', async () => {
    const res = await post()
      .set('Content-Type', 'text/csv')
      .send(
        Buffer.from(
          `${HEADER}\ngespr\xe4ch-1,${org.csrA.username},2026-11-02T09:00:00Z,inbound,returns,0,0,10,\n`,
          'latin1',
        ),
      );
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(/^The CSV is not UTF-8 text\./);
    expect(await externalIds()).toEqual([]);
    expect(await stagingEmpty()).toBe(true);
  });

  test('a Content-Type that cannot be parsed is a 415, not a 500', async () => {
    const res = await post()
      .set('Content-Type', 'text/csv; charset')
      .send(`${HEADER}\n${line('ct-1')}\n`);
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  test('a client that hangs up mid-import does not stop it: every line lands and the staged body is removed', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => line(`hang-${i}`));
    const body = Buffer.from(`${HEADER}\n${lines.join('\n')}\n`);
    const server = ctx.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const req = http.request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/v1/calls/import',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', 'content-length': body.length },
      });
      req.on('error', () => {});
      req.end(body);
      // Hang up once the import has begun writing (it has then read the whole body).
      expect(await eventually(() => fs.readdirSync(ctx.deps.storage.stagingDir).length === 1, 5000)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 200));
      req.destroy();
      const count = async () => (await ctx.deps.db.selectFrom('calls').select('id').execute()).length;
      let n = await count();
      expect(n).toBeLessThan(20_000);
      for (let i = 0; i < 300 && n < 20_000; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        n = await count();
      }
      expect(n).toBe(20_000);
      expect(await stagingEmpty()).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 60_000);

  test('one import at a time: another, from the page or the API, is refused with 409 until it ends', async () => {
    ctx.deps.imports = new ImportJobs({ batchRows: 1, sliceMs: 0, pauseMs: 100 });
    const file = csvFile(...Array.from({ length: 5 }, (_, i) => line(`busy-${i}`)));
    const job = await ctx.deps.imports.start(ctx.deps, manager(), { path: file, name: 'a.csv', bytes: 1 }, undefined);
    const refused = await post()
      .set('Content-Type', 'text/csv')
      .send(`${HEADER}\n${line('busy-api')}\n`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'import_running' });
    expect(refused.body.error.message).toMatch(/^Another import is running \(started \d\d:\d\d UTC\)\./);
    await ctx.deps.imports.settled();
    expect((await ctx.deps.imports.get(ctx.deps, job.id, manager().id))?.state).toBe('done');
    const after = await post()
      .set('Content-Type', 'text/csv')
      .send(`${HEADER}\n${line('busy-api')}\n`);
    expect(after.status).toBe(200);
    expect(await externalIds()).toHaveLength(6);
  });
});
