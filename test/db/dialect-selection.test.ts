import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { openConfiguredDatabase } from '../../src/db/database';
import { engineOf } from '../../src/db/dialect';
import { isUniqueViolation } from '../../src/db/errors';
import { isBusy } from '../../src/db/transaction';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dialect-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('without DATABASE_URL the app opens the SQLite file under DATA_DIR', async () => {
  const config = loadConfig({ DATA_DIR: dir });
  expect(config.databaseUrl).toBeNull();
  const handle = openConfiguredDatabase(config);
  try {
    expect(handle.engine).toBe('sqlite');
    expect(engineOf(handle.db)).toBe('sqlite');
    expect(fs.existsSync(path.join(dir, 'callscore.db'))).toBe(true);
  } finally {
    await handle.close();
  }
});

test('DATABASE_URL=postgres://… opens PostgreSQL through Kysely’s PostgreSQL dialect (no connection until a query)', async () => {
  const config = loadConfig({ DATA_DIR: dir, DATABASE_URL: 'postgres://app:secret@127.0.0.1:1/callscore' });
  expect(config.databaseUrl).toBe('postgres://app:secret@127.0.0.1:1/callscore');
  const handle = openConfiguredDatabase(config);
  try {
    expect(handle.engine).toBe('postgres');
    expect(engineOf(handle.db)).toBe('postgres');
    // Nothing listens on port 1: the first query fails with the connection error, not earlier.
    await expect(handle.db.selectFrom('settings').select('key').execute()).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  } finally {
    await handle.close();
  }
});

test('a DATABASE_URL that is not a postgres:// URL stops start-up with its name', () => {
  expect(() => loadConfig({ DATA_DIR: dir, DATABASE_URL: 'mysql://x@y/z' })).toThrow(ConfigError);
  expect(() => loadConfig({ DATA_DIR: dir, DATABASE_URL: 'mysql://x@y/z' })).toThrow(/DATABASE_URL/);
});

test('PostgreSQL serialization failures and deadlocks are retried like SQLITE_BUSY; 23505 is a unique violation', () => {
  expect(isBusy({ code: '40001' })).toBe(true);
  expect(isBusy({ code: '40P01' })).toBe(true);
  expect(isBusy({ code: 'SQLITE_BUSY_SNAPSHOT' })).toBe(true);
  expect(isBusy({ code: '23505' })).toBe(false);
  expect(isUniqueViolation({ code: '23505' })).toBe(true);
  expect(isUniqueViolation({ code: 'SQLITE_CONSTRAINT_UNIQUE' })).toBe(true);
  expect(isUniqueViolation({ code: '23503' })).toBe(false);
});
