import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { openDatabase } from '../../src/db/database';
import { withStatementCache } from '../../src/db/statement-cache';

interface NoteTable {
  id: number;
  body: string;
}

let sqlite: SQLite.Database;
let prepared: string[];

/** An in-memory database with ten notes, whose every real prepare is recorded in `prepared`. */
beforeEach(() => {
  sqlite = new SQLite(':memory:');
  sqlite.exec('create table notes (id integer primary key, body text not null)');
  const insert = sqlite.prepare('insert into notes (id, body) values (?, ?)');
  for (let id = 1; id <= 10; id += 1) insert.run(id, `note ${id}`);
  prepared = [];
  const prepare = sqlite.prepare.bind(sqlite);
  jest.spyOn(sqlite, 'prepare').mockImplementation((source: string) => {
    prepared.push(source);
    return prepare(source);
  });
});
afterEach(() => {
  if (sqlite.open) sqlite.close();
});

describe('the statement cache', () => {
  test('the same SQL gets the statement prepared the first time, with its own parameters each run', () => {
    const connection = withStatementCache(sqlite);
    const sql = 'select body from notes where id = ?';
    const first = connection.prepare(sql);
    expect(first.all([2])).toEqual([{ body: 'note 2' }]);
    const second = connection.prepare(sql);
    expect(second).toBe(first);
    expect(second.all([7])).toEqual([{ body: 'note 7' }]);
    expect(prepared).toEqual([sql]);
  });

  test('a statement being iterated is not handed out again: a fresh one runs, and the cached one after', () => {
    const connection = withStatementCache(sqlite);
    const sql = 'select id from notes where id <= ? order by id';
    const streaming = connection.prepare(sql);
    const rows = streaming.iterate([3]) as IterableIterator<{ id: number }>;
    expect(rows.next().value).toEqual({ id: 1 });
    expect(streaming.busy).toBe(true);

    const meanwhile = connection.prepare(sql);
    expect(meanwhile).not.toBe(streaming);
    expect(meanwhile.all([2])).toEqual([{ id: 1 }, { id: 2 }]);
    expect([...rows]).toEqual([{ id: 2 }, { id: 3 }]);

    expect(streaming.busy).toBe(false);
    expect(connection.prepare(sql)).toBe(streaming);
    expect(prepared).toEqual([sql, sql]);
  });

  test('it keeps at most `capacity` statements, dropping the least recently used first', () => {
    const connection = withStatementCache(sqlite, 3);
    const sql = (id: number) => `select body from notes where id = ${id}`;
    const one = connection.prepare(sql(1));
    connection.prepare(sql(2));
    connection.prepare(sql(3));
    expect(connection.prepare(sql(1))).toBe(one);
    connection.prepare(sql(4));
    expect(connection.cachedStatements).toBe(3);

    prepared.length = 0;
    expect(connection.prepare(sql(1))).toBe(one);
    expect(connection.prepare(sql(3)).all()).toEqual([{ body: 'note 3' }]);
    expect(connection.prepare(sql(4)).all()).toEqual([{ body: 'note 4' }]);
    expect(prepared).toEqual([]);
    expect(connection.prepare(sql(2)).all()).toEqual([{ body: 'note 2' }]);
    expect(prepared).toEqual([sql(2)]);
    expect(connection.cachedStatements).toBe(3);
  });

  test('close() closes the database', () => {
    const connection = withStatementCache(sqlite);
    connection.prepare('select 1');
    connection.close();
    expect(sqlite.open).toBe(false);
    expect(connection.cachedStatements).toBe(0);
  });
});

describe('Kysely on the cached connection', () => {
  let db: Kysely<{ notes: NoteTable }>;
  beforeEach(() => {
    db = new Kysely({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  });
  afterEach(async () => db.destroy());

  const bodyOf = (id: number) => db.selectFrom('notes').select('body').where('id', '=', id).executeTakeFirst();

  test('repeated queries with different parameters read and write the right rows, preparing each SQL once', async () => {
    expect(await bodyOf(4)).toEqual({ body: 'note 4' });
    expect(await bodyOf(9)).toEqual({ body: 'note 9' });
    expect(await bodyOf(11)).toBeUndefined();
    const inserted = await db.insertInto('notes').values({ id: 11, body: 'eleven' }).executeTakeFirstOrThrow();
    expect(inserted.insertId).toBe(11n);
    const again = await db.insertInto('notes').values({ id: 12, body: 'twelve' }).executeTakeFirstOrThrow();
    expect(again.insertId).toBe(12n);
    const updated = await db.updateTable('notes').set({ body: 'changed' }).where('id', '>', 10).executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(2n);
    expect(await bodyOf(11)).toEqual({ body: 'changed' });
    expect(await bodyOf(4)).toEqual({ body: 'note 4' });
    const selects = prepared.filter((sql) => sql.startsWith('select'));
    const inserts = prepared.filter((sql) => sql.startsWith('insert'));
    expect(selects).toHaveLength(1);
    expect(inserts).toHaveLength(1);
  });

  test('a failed statement can run again (a constraint error leaves the cached statement usable)', async () => {
    const insert = (id: number) =>
      db
        .insertInto('notes')
        .values({ id, body: `again ${id}` })
        .execute();
    // better-sqlite3's errors come from outside Jest's realm, so toThrow would not recognise them.
    await expect(insert(3)).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    await insert(13);
    expect(await bodyOf(13)).toEqual({ body: 'again 13' });
    expect(prepared.filter((sql) => sql.startsWith('insert'))).toHaveLength(1);
  });

  test('transactions commit and roll back as before', async () => {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('notes').values({ id: 20, body: 'kept' }).execute();
    });
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('notes').values({ id: 21, body: 'dropped' }).execute();
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await bodyOf(20)).toEqual({ body: 'kept' });
    expect(await bodyOf(21)).toBeUndefined();
  });

  test('stream() yields every row, and after a stream left early the same query runs normally', async () => {
    const query = (upTo: number) => db.selectFrom('notes').select('id').where('id', '<=', upTo).orderBy('id');
    const all: number[] = [];
    for await (const row of query(10).stream()) all.push(row.id);
    expect(all).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

    const firstTwo: number[] = [];
    for await (const row of query(10).stream()) {
      firstTwo.push(row.id);
      if (firstTwo.length === 2) break;
    }
    expect(firstTwo).toEqual([1, 2]);
    expect((await query(3).execute()).map((r) => r.id)).toEqual([1, 2, 3]);
    const streamed: number[] = [];
    for await (const row of query(4).stream()) streamed.push(row.id);
    expect(streamed).toEqual([1, 2, 3, 4]);
  });
});

describe('openDatabase', () => {
  test('close() still closes the connection, once, however often it is called', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callscore-stmt-'));
    try {
      const handle = openDatabase(path.join(dir, 'app.db'));
      expect((await sql<{ one: number }>`select 1 as one`.execute(handle.db)).rows).toEqual([{ one: 1 }]);
      expect(handle.sqlite.pragma('synchronous', { simple: true })).toBe(2);
      await handle.close();
      await handle.close();
      expect(handle.sqlite.open).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
