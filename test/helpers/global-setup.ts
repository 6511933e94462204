import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrate';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildStatic } = require('../../scripts/build-static') as { buildStatic(): Promise<void> };

/** Builds the browser bundle and migrates one template database; each test file copies it instead of migrating. */
export default async function globalSetup(): Promise<void> {
  // The scoring page's score math is compiled from src/scoring as `npm run build` does, so pages under test load it.
  await buildStatic();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callscore-test-'));
  const file = path.join(dir, 'template.db');
  const handle = openDatabase(file);
  await migrateToLatest(handle.db);
  handle.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  await handle.close();
  process.env.CALLSCORE_TEST_DIR = dir;
  process.env.CALLSCORE_TEST_TEMPLATE = file;
}
