import type SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../../src/db/schema';
import type { AppDeps } from '../../src/deps';

/** A clock the generator moves by hand, so rows written through the app's services carry historical times. */
export class SeedClock {
  constructor(public ms: number) {}
  now(): Date {
    return new Date(this.ms);
  }
}

/**
 * Just enough of AppDeps for the app's rubric and course services (they use `db` and `clock`), on the
 * generator's bulk-load connection. Never destroy this Kysely: that would close the shared connection.
 */
export function seedDeps(sqlite: SQLite.Database, clock: SeedClock): AppDeps {
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, clock } as unknown as AppDeps;
}
