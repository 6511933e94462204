import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { openDatabase, type SqliteHandle } from '../../src/db/database';
import { DatabaseBusy, inTransaction, onCommit, type RetryPolicy } from '../../src/db/transaction';

// The one unit-of-work helper (src/db/transaction.ts) on a real SQLite file, with a second connection
// playing another process that holds the write lock.

let dir: string;
let handle: SqliteHandle;
const quick: RetryPolicy = { maxWaitMs: 600, firstPauseMs: 5, maxPauseMs: 50 };

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callscore-trx-'));
  handle = openDatabase(path.join(dir, 'app.db'));
  await sql`create table notes (id integer primary key, body text not null)`.execute(handle.db);
});
afterEach(async () => {
  await handle.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const insertNote = (trx: Parameters<Parameters<typeof inTransaction>[1]>[0], body: string) =>
  sql`insert into notes (body) values (${body})`.execute(trx);
const countNotes = async () =>
  Number((await sql<{ n: number }>`select count(*) as n from notes`.execute(handle.db)).rows[0]?.n);

/** Another connection to the same file holding BEGIN EXCLUSIVE until the returned function is called. */
function holdWriteLock(): () => void {
  const other = new SQLite(path.join(dir, 'app.db'));
  other.exec('begin exclusive');
  return () => {
    other.exec('commit');
    other.close();
  };
}

test('commits the work and returns its result', async () => {
  const result = await inTransaction(handle.db, async (trx) => {
    await insertNote(trx, 'one');
    return 'done';
  });
  expect(result).toBe('done');
  expect(await countNotes()).toBe(1);
});

test('a unit of work never opens another: nesting is refused and the outer work rolls back', async () => {
  await expect(
    inTransaction(handle.db, async (trx) => {
      await insertNote(trx, 'outer');
      await inTransaction(trx, async (inner) => insertNote(inner, 'inner'));
    }),
  ).rejects.toThrow(/already open/);
  expect(await countNotes()).toBe(0);
});

test('onCommit hooks run in order after the commit, and never for a rolled-back change', async () => {
  const seen: string[] = [];
  await inTransaction(handle.db, async (trx) => {
    await insertNote(trx, 'kept');
    onCommit(trx, async () => {
      seen.push(`first, notes visible: ${await countNotes()}`);
    });
    onCommit(trx, () => {
      seen.push('second');
    });
    seen.push('work');
  });
  expect(seen).toEqual(['work', 'first, notes visible: 1', 'second']);

  await expect(
    inTransaction(handle.db, async (trx) => {
      onCommit(trx, () => {
        seen.push('must not run');
      });
      throw new Error('refused');
    }),
  ).rejects.toThrow('refused');
  expect(seen).not.toContain('must not run');
  expect(() => onCommit(handle.db as never, () => undefined)).toThrow(/not inside a unit of work/);
});

test('waits with timers for a lock held elsewhere, and reads go on meanwhile', async () => {
  const release = holdWriteLock();
  setTimeout(release, 250);
  const started = Date.now();
  const write = inTransaction(handle.db, (trx) => insertNote(trx, 'after the lock'), quick);
  // A read while the writer waits is answered at once: the event loop is not held by SQLite's busy handler.
  const readStarted = Date.now();
  expect(await countNotes()).toBe(0);
  expect(Date.now() - readStarted).toBeLessThan(150);
  await write;
  expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  expect(await countNotes()).toBe(1);
});

test('gives up with DatabaseBusy (503, Retry-After) when the lock is held past the bound, saving nothing', async () => {
  const release = holdWriteLock();
  try {
    const started = Date.now();
    const error = await inTransaction(handle.db, (trx) => insertNote(trx, 'never'), quick).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseBusy);
    expect((error as DatabaseBusy).status).toBe(503);
    expect((error as DatabaseBusy).retryAfterSeconds).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(quick.maxWaitMs - 50);
  } finally {
    release();
  }
  expect(await countNotes()).toBe(0);
});

test('a full database surfaces SQLITE_FULL, not "cannot rollback - no transaction is active"', async () => {
  const pages = Number(handle.sqlite.pragma('page_count', { simple: true }));
  handle.sqlite.pragma(`max_page_count = ${pages + 2}`);
  const error = await inTransaction(handle.db, async (trx) => {
    for (let i = 0; i < 200; i++) await insertNote(trx, 'x'.repeat(4000));
  }).catch((e: unknown) => e);
  expect(String((error as { code?: string }).code)).toMatch(/^SQLITE_FULL/);
  expect(handle.sqlite.inTransaction).toBe(false);
  expect(await countNotes()).toBe(0);
});
