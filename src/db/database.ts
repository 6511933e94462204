import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, sql, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from 'kysely';
import { engineOf } from './dialect';
import { openPostgresKysely, type PostgresOptions } from './postgres';
import type { Database } from './schema';
import { withStatementCache, type CachingConnection } from './statement-cache';

export type DB = Kysely<Database>;

interface HandleBase {
  db: DB;
  close(): Promise<void>;
}

/** The embedded SQLite file; `sqlite` is the raw connection (pragmas, checkpoints, the statement cache). */
export interface SqliteHandle extends HandleBase {
  engine: 'sqlite';
  sqlite: SQLite.Database;
}

/** A PostgreSQL server (DATABASE_URL) or, in tests, PGlite: Kysely is the only way in. */
export interface PostgresHandle extends HandleBase {
  engine: 'postgres';
}

export type DatabaseHandle = SqliteHandle | PostgresHandle;

/** Where the app's data lives: `DATABASE_URL` when set, else the SQLite file under DATA_DIR. */
export interface DatabaseTarget {
  databaseUrl: string | null;
  databaseFile: string;
  databasePoolMax?: number;
  databasePoolTimeoutMs?: number;
  databasePoolQueueMax?: number;
}

/** Opens what the configuration names; the rest of the app sees the same `db` either way. */
export function openConfiguredDatabase(target: DatabaseTarget): DatabaseHandle {
  if (target.databaseUrl) {
    return openPostgres(target.databaseUrl, {
      max: target.databasePoolMax,
      connectionTimeoutMillis: target.databasePoolTimeoutMs,
      queueMax: target.databasePoolQueueMax,
    });
  }
  return openDatabase(target.databaseFile);
}

export function openPostgres(url: string, options: PostgresOptions = {}): PostgresHandle {
  return closingOnce({ engine: 'postgres' as const, db: openPostgresKysely(url, options) });
}

function closingOnce<H extends { db: DB }>(handle: H): H & { close(): Promise<void> } {
  let closed = false;
  return {
    ...handle,
    async close() {
      if (closed) return;
      closed = true;
      await handle.db.destroy();
    },
  };
}

/**
 * SQLite's busy handler sleeps on the event loop's thread, so every request would wait while another process
 * holds the write lock. It waits only this long; a unit of work refused for the lock is retried with timers by
 * inTransaction (transaction.ts), and a single write still refused after that answers 503.
 */
export const BUSY_TIMEOUT_MS = 20;

/**
 * Kysely's SQLite dialect, with two changes: statements come from a cache (statement-cache.ts), and a rollback
 * after SQLite already rolled the transaction back by itself (SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY inside a
 * transaction) is skipped, so the caller sees the real cause instead of "cannot rollback - no transaction is
 * active".
 */
class AppSqliteDialect extends SqliteDialect {
  readonly #sqlite: SQLite.Database;
  readonly #connection: CachingConnection;

  constructor(sqlite: SQLite.Database) {
    const connection = withStatementCache(sqlite);
    super({ database: connection });
    this.#sqlite = sqlite;
    this.#connection = connection;
  }

  override createDriver(): Driver {
    const sqlite = this.#sqlite;
    return new (class extends SqliteDriver {
      override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
        if (sqlite.inTransaction) await super.rollbackTransaction(connection);
      }
    })({ database: this.#connection });
  }
}

/**
 * SQLite's page cache for the connection, in KiB. better-sqlite3 is built with 16 MB; once a server has worked
 * through a large database the cache stays full, and that was 12 MB of the 155 MB resident after a load at a
 * million calls (issue 21: under 150 MB at rest). Pages it no longer holds come back from the operating system's
 * file cache: the reports, call list and dashboards measured the same at 4 MB (bench/README.md, memory).
 */
export const PAGE_CACHE_KIB = 4000;

/** The page cache while a bulk write runs (an import writes calls into a dozen indexes at once). */
export const BULK_PAGE_CACHE_KIB = 16000;

/**
 * Runs a bulk write with the larger page cache on SQLite (the smaller one made a 100,000-call phone-system
 * import 4% slower), then gives the pages back. One connection serves every request, so those running meanwhile
 * have it too; a bulk write holds the import slot, so two never overlap. PostgreSQL sizes its own buffers.
 */
export async function withBulkPageCache<T>(db: Kysely<Database>, work: () => Promise<T>): Promise<T> {
  if (engineOf(db) !== 'sqlite') return work();
  await sql.raw(`pragma cache_size = -${BULK_PAGE_CACHE_KIB}`).execute(db);
  try {
    return await work();
  } finally {
    await sql.raw(`pragma cache_size = -${PAGE_CACHE_KIB}`).execute(db);
  }
}

/**
 * Opens the app database with the pragmas the house style requires. better-sqlite3 is synchronous and
 * Kysely serialises every query through this one connection, so all access must go through `db`. Kysely sees
 * the connection through a cache of prepared statements (statement-cache.ts).
 */
export function openDatabase(file: string): SqliteHandle {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file, { timeout: BUSY_TIMEOUT_MS });
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  sqlite.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  const db = new Kysely<Database>({ dialect: new AppSqliteDialect(sqlite) });
  return closingOnce({ engine: 'sqlite' as const, db, sqlite });
}
