import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { idsIn, scopedIds } from '../../src/db/ids';

interface NoteTable {
  id: number;
}

let db: Kysely<{ notes: NoteTable }>;

beforeAll(() => {
  const sqlite = new SQLite(':memory:');
  sqlite.exec('create table notes (id integer primary key)');
  for (let id = 1; id <= 3; id += 1) sqlite.prepare('insert into notes (id) values (?)').run(id);
  db = new Kysely({ dialect: new SqliteDialect({ database: sqlite }) });
});
afterAll(() => db.destroy());

async function idsWhere(op: 'in' | 'not in', ids: readonly number[]): Promise<number[]> {
  const rows = await db.selectFrom('notes').select('id').where('id', op, idsIn(ids)).orderBy('id').execute();
  return rows.map((row) => row.id);
}

test('idsIn keeps the ids given', async () => {
  expect(await idsWhere('in', [1, 3])).toEqual([1, 3]);
  expect(await idsWhere('not in', [1, 3])).toEqual([2]);
});

test('idsIn of no ids matches no row with `in` and excludes none with `not in`', async () => {
  expect(await idsWhere('in', [])).toEqual([]);
  expect(await idsWhere('not in', [])).toEqual([1, 2, 3]);
});

test('scopedIds is null for every team and the ids (or none) for a scope', () => {
  expect(scopedIds('all')).toBeNull();
  expect(scopedIds([4, 5])).toEqual([4, 5]);
  expect(scopedIds([])).toEqual([-1]);
});
