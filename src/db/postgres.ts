import pg from 'pg';
import { Kysely, PostgresDialect, type PostgresPool } from 'kysely';
import type { Database } from './schema';

/** PostgreSQL type ids whose values the app reads as numbers (pg returns them as strings by default). */
export const INT8_OID = 20;
export const NUMERIC_OID = 1700;
export const TIMESTAMPTZ_OID = 1184;

const parseTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (value: string) => Date;

/**
 * A `timestamptz` as the app reads every timestamp on both engines: ISO-8601 text in UTC with milliseconds
 * (`2026-12-07T04:59:29.375Z`), whatever the session's time zone. PostgreSQL keeps microseconds; the app writes
 * milliseconds (`Date#toISOString`), so nothing it wrote is cut.
 */
export function isoOfTimestamptz(value: string): string {
  return parseTimestamptz(value).toISOString();
}

/**
 * int8 (bigint: ids, `count(*)`, `sum()` of integers) and numeric (`sum()` of bigints, `avg()`) come back as
 * JavaScript numbers, as they do from SQLite. Ids and counts stay far below 2^53; a sum of cents would need
 * 90 trillion dollars to lose precision. `timestamptz` comes back as the ISO text SQLite holds (isoOfTimestamptz).
 */
export function appTypes(): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
      if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
      if (oid === TIMESTAMPTZ_OID && format !== 'binary') return isoOfTimestamptz;
      return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
    }) as pg.CustomTypesConfig['getTypeParser'],
  };
}

export interface PostgresOptions {
  /** Connections per app process (PGPOOL_MAX); requests beyond wait for one. */
  max?: number;
  /** How long a request waits for a free connection before it fails (answered 503). */
  connectionTimeoutMillis?: number;
  /** Requests that may wait for a connection at once (DATABASE_POOL_QUEUE_MAX); the next is refused at once. */
  queueMax?: number;
}

/** The message of the refusal when the queue is full (src/lib/faults.ts answers it 503 with Retry-After). */
export const POOL_QUEUE_FULL = 'connection pool queue full';

/**
 * The pool Kysely uses, with a bound on the requests waiting for a connection: beyond `queueMax` waiting, a
 * request is refused at once instead of joining a queue it would likely time out in (pg's pool has no bound).
 */
export function boundedPool(pool: pg.Pool, queueMax: number): PostgresPool {
  return {
    connect: () => {
      const full = pool.totalCount >= (pool.options.max ?? 10) && pool.idleCount === 0;
      if (full && pool.waitingCount >= queueMax) {
        return Promise.reject(new Error(`${POOL_QUEUE_FULL}: ${pool.waitingCount} requests already waiting`));
      }
      return pool.connect();
    },
    end: () => pool.end(),
  };
}

/** Kysely on a `pg` pool for `DATABASE_URL=postgres://…`; nothing connects until the first query. */
export function openPostgresKysely(url: string, options: PostgresOptions = {}): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
    types: appTypes(),
  });
  // An idle connection the server dropped (restart, failover) is discarded; the next query opens a new one.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: boundedPool(pool, options.queueMax ?? 100) }) });
}

/** True for a `postgres://` or `postgresql://` connection string. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}
