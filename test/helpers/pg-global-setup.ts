import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openPostgres } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrate';
import globalSetup from './global-setup';
import { withDatabase } from './pg-leg';
import { createPglite, pgliteKysely, PglitePool } from './pglite';

/**
 * The PostgreSQL leg's global setup: what the SQLite leg's does (static build), then one migrated template.
 * With PG_TEST_URL, a template database on that server (a server that does not answer fails the leg); without,
 * a PGlite data directory dumped to a file each test file loads. Nothing here skips: a leg that cannot run fails.
 */
export default async function pgGlobalSetup(): Promise<void> {
  await globalSetup();
  const started = Date.now();
  const url = process.env.PG_TEST_URL;
  if (url) {
    const name = `cs_tpl_${process.pid}_${Date.now().toString(36)}`;
    const admin = openPostgres(withDatabase(url, 'postgres'), { max: 1 });
    try {
      await sql`create database ${sql.id(name)}`.execute(admin.db);
    } catch (err) {
      throw new Error(`PG_TEST_URL: cannot create a database on ${new URL(url).host}: ${(err as Error).message}`, {
        cause: err,
      });
    } finally {
      await admin.close();
    }
    const template = openPostgres(withDatabase(url, name), { max: 1 });
    await migrateToLatest(template.db).finally(() => template.close());
    process.env.CALLSCORE_PG_TEMPLATE_DB = name;
  } else {
    const pglite = await createPglite();
    await migrateToLatest(pgliteKysely(new PglitePool(pglite)));
    const dump = await pglite.dumpDataDir('none');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'callscore-pg-')), 'template.tar');
    fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    await pglite.close();
    process.env.CALLSCORE_PG_TEMPLATE_DUMP = file;
  }
  console.log(`\nPostgreSQL leg: template on ${url ? 'PG_TEST_URL' : 'PGlite'} in ${Date.now() - started} ms`);
}
