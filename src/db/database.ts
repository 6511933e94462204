import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema';
import { withStatementCache } from './statement-cache';

export type DB = Kysely<Database>;

export interface DatabaseHandle {
  db: DB;
  sqlite: SQLite.Database;
  close(): Promise<void>;
}

/**
 * Opens the app database with the pragmas the house style requires. better-sqlite3 is synchronous and
 * Kysely serialises every query through this one connection, so all access must go through `db`. Kysely sees
 * the connection through a cache of prepared statements (statement-cache.ts).
 */
export function openDatabase(file: string): DatabaseHandle {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file, { timeout: 5000 });
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  let closed = false;
  return {
    db,
    sqlite,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
