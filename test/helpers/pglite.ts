import { PGlite, types } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import { isoOfTimestamptz } from '../../src/db/postgres';
import type { Database } from '../../src/db/schema';

/**
 * Kysely on PGlite (PostgreSQL compiled to WebAssembly, in this process): Kysely's own PostgreSQL dialect over
 * a pool of one connection that speaks PGlite's query API. Used by the PostgreSQL leg of the tests when no
 * PG_TEST_URL names a server. int8 and numeric come back as numbers and timestamptz as ISO text, as the app's
 * `pg` pool parses them (src/db/postgres.ts, appTypes).
 */
export const PGLITE_PARSERS = {
  [types.INT8]: (value: string) => Number(value),
  [types.NUMERIC]: (value: string) => Number(value),
  [types.TIMESTAMPTZ]: isoOfTimestamptz,
};

class PgliteClient {
  constructor(
    private readonly pglite: PGlite,
    readonly release: () => void,
  ) {}

  async query(text: string, values: unknown[]): Promise<{ command: string; rowCount: number; rows: unknown[] }> {
    const result = await this.pglite.query(text, values, { parsers: PGLITE_PARSERS });
    // Kysely reads the affected-row count only for INSERT/UPDATE/DELETE/MERGE; a SELECT has none to report.
    return { command: 'UPDATE', rowCount: result.affectedRows ?? 0, rows: result.rows };
  }
}

/** One connection: a second caller waits until the first releases it (a transaction holds it throughout). */
export class PglitePool {
  #tail: Promise<void> = Promise.resolve();

  constructor(private readonly pglite: PGlite) {}

  async connect(): Promise<PgliteClient> {
    let release: () => void = () => undefined;
    const turn = new Promise<void>((resolve) => (release = resolve));
    const previous = this.#tail;
    this.#tail = previous.then(() => turn);
    await previous;
    return new PgliteClient(this.pglite, release);
  }

  /** Closes the PGlite instance itself, once no caller holds the connection. */
  async close(): Promise<void> {
    await this.#tail;
    await this.pglite.close();
  }

  async end(): Promise<void> {
    // The PGlite instance belongs to whoever created it (one per test file); closing a Kysely leaves it open.
  }
}

/** Kysely over a PGlite pool, or over one that is still being made ready (queries wait for it). */
export function pgliteKysely(pool: PglitePool | Promise<PglitePool>): Kysely<Database> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: async () => (await pool) as any }) });
}

/** A new in-process PostgreSQL: empty, or loaded from a data directory dumped by `dumpDataDir()`. */
export async function createPglite(dataDir?: Buffer): Promise<PGlite> {
  return PGlite.create(dataDir ? { loadDataDir: new Blob([new Uint8Array(dataDir)]) } : {});
}
