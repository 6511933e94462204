import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/db/database';
import { createMigrator } from '../../src/db/migrate';

/**
 * The migrations became dialect-aware for PostgreSQL; an installed SQLite database must not notice. The fixture
 * is sqlite_master (every table, index and trigger with its SQL) of a database migrated up to
 * 20261203T1420_speech_to_text by the migrations as they were before that change (main at c500992).
 */
const FIXTURE = path.join(__dirname, '../fixtures/sqlite-master-20261203T1420.json');

test('the migrations up to 20261203T1420 produce the same SQLite schema, object by object, as before', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'frozen-'));
  const handle = openDatabase(path.join(dir, 'frozen.db'));
  try {
    const result = await createMigrator(handle.db).migrateTo('20261203T1420_speech_to_text');
    expect(result.error).toBeUndefined();
    const actual = handle.sqlite
      .prepare(`select type, name, tbl_name, sql from sqlite_master where name not like 'kysely_%' order by type, name`)
      .all();
    const expected = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as unknown[];
    expect(expected.length).toBeGreaterThan(100);
    expect(actual).toEqual(expected);
  } finally {
    await handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
