import fs from 'node:fs';
import path from 'node:path';
import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { DB } from './database';
import { forMigrations } from './dialect';

// Compiled code runs from dist/src/db and finds dist/migrations; tests run from src/db and find migrations/.
export const MIGRATIONS_DIR = path.resolve(__dirname, '../../migrations');

class DirectoryMigrationProvider implements MigrationProvider {
  constructor(private readonly dir: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {};
    for (const file of fs.readdirSync(this.dir).sort()) {
      const match = /^(\d{8}T\d{4}_[a-z0-9_]+)\.(ts|js)$/.exec(file);
      const name = match?.[1];
      if (!name || file.endsWith('.d.ts')) continue;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      migrations[name] = require(path.join(this.dir, file)) as Migration;
    }
    return migrations;
  }
}

export function createMigrator(db: DB, dir = MIGRATIONS_DIR): Migrator {
  return new Migrator({ db: forMigrations(db), provider: new DirectoryMigrationProvider(dir) });
}

function raise(result: MigrationResultSet): MigrationResultSet {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const message = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${message}`, { cause: result.error });
  }
  return result;
}

export async function migrateToLatest(db: DB): Promise<MigrationResultSet> {
  return raise(await createMigrator(db).migrateToLatest());
}

export async function migrateDown(db: DB): Promise<MigrationResultSet> {
  return raise(await createMigrator(db).migrateDown());
}

/** The names of the migrations not yet applied to this database (none: the schema is current). */
export async function pendingMigrations(db: DB): Promise<string[]> {
  const migrations = await createMigrator(db).getMigrations();
  return migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
