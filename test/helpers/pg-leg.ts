import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { openPostgres, type DB, type PostgresHandle } from '../../src/db/database';
import { appTypes } from '../../src/db/postgres';
import type { Database } from '../../src/db/schema';
import { PglitePool, createPglite, pgliteKysely } from './pglite';

/**
 * The PostgreSQL leg of the tests (jest project "postgres", see jest.config.js): test helpers open the app's
 * database here instead of a copy of the SQLite template.
 * - PG_TEST_URL set (.ci/run): a real server; every test app gets its own database, created from the template
 *   database the leg's global setup migrated (CREATE DATABASE … TEMPLATE), dropped when the app closes.
 * - otherwise PGlite: one in-process PostgreSQL per test file, loaded from the migrated template's data
 *   directory; every new test app starts from the template's rows again (tables truncated, identities reset,
 *   the migrations' own rows put back), and `restart()` keeps the data.
 */
export function onPostgresLeg(): boolean {
  return (globalThis as { CALLSCORE_TEST_ENGINE?: string }).CALLSCORE_TEST_ENGINE === 'postgres';
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`the PostgreSQL leg's global setup did not run (${name} is not set)`);
  return value;
}

/** The connection string of another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

let pglite: Promise<PglitePool> | undefined;
/** The last fresh app's reset of this file's PGlite: what a restart's app waits for. */
let pgliteReady: Promise<void> | undefined;

async function loadPglite(): Promise<PglitePool> {
  const instance = await createPglite(fs.readFileSync(env('CALLSCORE_PG_TEMPLATE_DUMP')));
  return new PglitePool(instance);
}

/** Closes this test file's PGlite (test/helpers/pg-setup-after-env.ts calls it after the file's tests). */
export async function closePglite(): Promise<void> {
  const pool = await pglite?.catch(() => undefined);
  pglite = undefined;
  pgliteReady = undefined;
  await pool?.close();
}

/** The template's rows, as left by the migrations (settings and the like), to put back after a truncate. */
interface Snapshot {
  tables: string[];
  rows: Record<string, Array<Record<string, unknown>>>;
}
let snapshot: Snapshot | undefined;

async function reset(db: DB): Promise<void> {
  const tables = (
    await sql<{ name: string }>`select table_name as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like 'kysely_%'
      order by table_name`.execute(db)
  ).rows.map((r) => r.name);
  if (!snapshot) {
    const rows: Snapshot['rows'] = {};
    for (const table of tables)
      rows[table] = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db)).rows;
    snapshot = { tables, rows };
    return;
  }
  const saved = snapshot;
  await sql`truncate ${sql.join(tables.map((t) => sql.table(t)))} restart identity cascade`.execute(db);
  for (const table of saved.tables) {
    const rows = saved.rows[table] ?? [];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    if (rows.length > 0) await (db as any).insertInto(table).values(rows).execute();
  }
}

const serverDatabases = new Map<string, string>();
/** Each server database's creation from the template, by key: what a restart's app waits for. */
const serverReady = new Map<string, Promise<void>>();

async function createFromTemplate(name: string): Promise<void> {
  const admin = openPostgres(withDatabase(env('PG_TEST_URL'), 'postgres'), { max: 1 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await sql`create database ${sql.id(name)} template ${sql.id(env('CALLSCORE_PG_TEMPLATE_DB'))}`.execute(
          admin.db,
        );
        return;
      } catch (err) {
        // Two workers copying the template at the same instant: "source database is being accessed".
        if (attempt >= 20 || (err as { code?: string }).code !== '55006') throw err;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 200));
      }
    }
  } finally {
    await admin.close();
  }
}

function serverKysely(url: string, ready: Promise<void>): DB {
  return new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: async () => {
        await ready;
        const pool = new pg.Pool({ connectionString: url, max: 4, types: appTypes() });
        pool.on('error', () => undefined);
        return pool;
      },
    }),
  });
}

/**
 * The app database of one test app on the PostgreSQL leg. `key` names it (the test's data folder), so a
 * `restart()` with the same key and `fresh` false sees the same data. Queries wait until it is ready.
 */
export function openTestPostgres(key: string, fresh: boolean): PostgresHandle {
  const url = process.env.PG_TEST_URL;
  if (url) {
    let name = serverDatabases.get(key);
    if (!name) {
      name = `cs_t_${crypto.randomBytes(6).toString('hex')}`;
      serverDatabases.set(key, name);
    }
    const dbName = name;
    // A restart's app (not fresh) opens the same database: it waits until the first app's copy exists.
    const ready = fresh ? createFromTemplate(dbName) : (serverReady.get(key) ?? Promise.resolve());
    if (fresh) serverReady.set(key, ready);
    const db = serverKysely(withDatabase(url, dbName), ready);
    return handle(db, async () => {
      await ready.catch(() => undefined);
      if (!fresh) return;
      const admin = openPostgres(withDatabase(url, 'postgres'), { max: 1 });
      await sql`drop database if exists ${sql.id(dbName)} with (force)`.execute(admin.db).finally(() => admin.close());
    });
  }
  pglite ??= loadPglite();
  const pool = pglite;
  // A restart's app (not fresh) waits for the reset of the app it restarts, as on a server.
  const ready = fresh ? pool.then((p) => reset(pgliteKysely(p))) : (pgliteReady ?? Promise.resolve());
  if (fresh) pgliteReady = ready;
  const db = pgliteKysely(ready.then(() => pool));
  return handle(db, async () => {
    await ready.catch(() => undefined);
  });
}

function handle(db: DB, cleanup: () => Promise<void>): PostgresHandle {
  let closed = false;
  return {
    engine: 'postgres',
    db,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      await cleanup();
    },
  };
}
