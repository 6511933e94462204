import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { openPostgres } from '../../src/db/database';
import globalTeardown from './global-teardown';
import { withDatabase } from './pg-leg';

export default async function pgGlobalTeardown(): Promise<void> {
  await globalTeardown();
  const dump = process.env.CALLSCORE_PG_TEMPLATE_DUMP;
  if (dump) fs.rmSync(path.dirname(dump), { recursive: true, force: true });
  const url = process.env.PG_TEST_URL;
  const template = process.env.CALLSCORE_PG_TEMPLATE_DB;
  if (url && template) {
    const admin = openPostgres(withDatabase(url, 'postgres'), { max: 1 });
    await sql`drop database if exists ${sql.id(template)} with (force)`.execute(admin.db).finally(() => admin.close());
  }
}
