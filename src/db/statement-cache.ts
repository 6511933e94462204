import type SQLite from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

export const STATEMENT_CACHE_SIZE = 500;

export interface CachingConnection extends SqliteDatabase {
  prepare(sql: string): SQLite.Statement;
  /** How many statements are cached now (for tests and diagnostics). */
  readonly cachedStatements: number;
}

/**
 * The connection handed to Kysely's SqliteDialect, with a bounded cache of prepared statements: Kysely's
 * SQLite driver prepares every query anew, and compiling the SQL costs more than running most of the app's
 * queries. The least recently used statement leaves first, so queries built with a varying number of
 * parameters (`in (?, ?, …)`) cannot grow the cache without end.
 */
export function withStatementCache(sqlite: SQLite.Database, capacity = STATEMENT_CACHE_SIZE): CachingConnection {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(sql: string): SQLite.Statement {
      const cached = cache.get(sql);
      // A statement still being iterated (a stream in progress) cannot run again until it is done.
      if (cached?.busy) return sqlite.prepare(sql);
      if (cached) {
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = sqlite.prepare(sql);
      cache.set(sql, statement);
      const oldest = cache.size > capacity ? cache.keys().next().value : undefined;
      if (oldest !== undefined) cache.delete(oldest);
      return statement;
    },
    close(): void {
      cache.clear();
      sqlite.close();
    },
    get cachedStatements() {
      return cache.size;
    },
  };
}
