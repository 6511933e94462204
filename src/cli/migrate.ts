import { openConfiguredDatabase } from '../db/database';
import { createMigrator } from '../db/migrate';
import { loadConfig } from '../config';
import { runCommand, withDatabase } from './run';

/** `npm run db:migrate` (to latest) or `npm run db:migrate -- down` (one step back). */
async function main(): Promise<number> {
  const config = loadConfig();
  const database = openConfiguredDatabase(config);
  return withDatabase(database, async () => {
    const migrator = createMigrator(database.db);
    const result = process.argv[2] === 'down' ? await migrator.migrateDown() : await migrator.migrateToLatest();
    for (const r of result.results ?? []) console.log(`${r.status}: ${r.migrationName} (${r.direction})`);
    if (result.error) {
      console.error('Migration failed:', result.error instanceof Error ? result.error.message : result.error);
      return 1;
    }
    if ((result.results ?? []).length === 0) console.log('Database is up to date.');
    return 0;
  });
}

runCommand(main);
