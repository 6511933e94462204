import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB, SqliteHandle } from './database';
import { engineOf } from './dialect';

/**
 * `npm run db:copy`: copies a SQLite installation's rows into a migrated PostgreSQL database, table by table in
 * dependency order (a table after every table it references), in batches read by primary key, inside one
 * transaction on the target (nothing is left half-copied); then resets each identity so new rows follow the
 * copied ids, and verifies every table by row count and a SHA-256 checksum of its rows in key order.
 */
export interface TableReport {
  table: string;
  rows: number;
  checksum: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;
type Row = Record<string, unknown>;

export interface TableInfo {
  name: string;
  columns: string[];
  primaryKey: string[];
  /** Primary-key columns holding text: read in byte order on both engines (see `batches`). */
  textKeys: string[];
  references: string[];
  /** Reference columns per referenced table. */
  foreignKeys: Array<{ table: string; column: string }>;
  /** Columns whose reference closes a cycle (users.team_id → teams → departments.manager_id → users): copied
   * as NULL first and filled in once every table is copied. */
  deferred: string[];
}

/** The app's tables on the SQLite source, with their columns, primary keys and the tables they reference. */
export async function sqliteTables(source: SqliteHandle): Promise<TableInfo[]> {
  const names = source.sqlite
    .prepare(
      `select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name`,
    )
    .all() as Array<{ name: string }>;
  return names.map(({ name }) => {
    const columns = source.sqlite.pragma(`table_info(${JSON.stringify(name)})`) as Array<{
      name: string;
      pk: number;
      type: string;
    }>;
    const keys = source.sqlite.pragma(`foreign_key_list(${JSON.stringify(name)})`) as Array<{
      table: string;
      from: string;
    }>;
    return {
      name,
      columns: columns.map((c) => c.name),
      primaryKey: columns
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name),
      textKeys: columns.filter((c) => c.pk > 0 && /text|char|clob/i.test(c.type)).map((c) => c.name),
      references: [...new Set(keys.map((k) => k.table).filter((t) => t !== name))],
      foreignKeys: keys.map((k) => ({ table: k.table, column: k.from })),
      deferred: [],
    };
  });
}

/** Tables ordered so that each comes after the tables it references. */
export function dependencyOrder(tables: TableInfo[]): TableInfo[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const ordered: TableInfo[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (table: TableInfo) => {
    if (state.get(table.name) === 'done') return;
    state.set(table.name, 'visiting');
    for (const ref of table.references) {
      const target = byName.get(ref);
      if (!target) continue;
      if (state.get(ref) === 'visiting') {
        for (const fk of table.foreignKeys) if (fk.table === ref) table.deferred.push(fk.column);
        continue;
      }
      visit(target);
    }
    state.set(table.name, 'done');
    ordered.push(table);
  };
  for (const table of tables) visit(table);
  return ordered;
}

/**
 * Reads a table in primary-key order, `batch` rows at a time (keyset pagination: no offsets). Text keys are
 * ordered by their bytes on PostgreSQL too (`collate "C"`), as SQLite orders them: under a database's or a
 * column's linguistic collation (en_US, ICU) 'a' sorts before 'B', and the two sides' checksums, taken in key
 * order, would differ for rows that are the same.
 */
export async function* batches(db: AnyDb, table: TableInfo, batch: number): AsyncGenerator<Row[]> {
  const bytewise = engineOf(db) === 'postgres' ? new Set(table.textKeys) : new Set<string>();
  const keys = table.primaryKey.map((c) => (bytewise.has(c) ? sql`${sql.ref(c)} collate "C"` : sql.ref(c)));
  let after: unknown[] | null = null;
  for (;;) {
    let query = db.selectFrom(table.name).select(table.columns);
    if (after) query = query.where(sql<boolean>`(${sql.join(keys)}) > (${sql.join(after)})`);
    for (const key of keys) query = query.orderBy(key);
    const rows = (await query.limit(batch).execute()) as Row[];
    if (rows.length === 0) return;
    yield rows;
    const last = rows[rows.length - 1] as Row;
    after = table.primaryKey.map((c) => last[c]);
    if (rows.length < batch) return;
  }
}

/**
 * One value as the checksum sees it: the same on both engines (numbers as numbers, text as text, a timestamp as
 * the ISO text of its instant: SQLite's text, PostgreSQL's timestamptz as the pool reads it).
 */
function canonical(value: unknown, instant: boolean): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (instant && typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? value : new Date(ms).toISOString();
  }
  return value;
}

/**
 * Row count and SHA-256 of every row (columns in table order) in primary-key order. `instants`: the table's
 * timestamp columns, compared as instants.
 */
export async function tableChecksum(
  db: AnyDb,
  table: TableInfo,
  batch = 2000,
  instants: ReadonlySet<string> = new Set(),
): Promise<TableReport> {
  const hash = crypto.createHash('sha256');
  let rows = 0;
  for await (const page of batches(db, table, batch)) {
    for (const row of page)
      hash.update(`${JSON.stringify(table.columns.map((c) => canonical(row[c], instants.has(c))))}\n`);
    rows += page.length;
  }
  return { table: table.name, rows, checksum: hash.digest('hex') };
}

/** PostgreSQL allows 65,535 parameters in one statement; a batch stays well under. */
function insertBatchSize(columns: number, wanted: number): number {
  return Math.max(1, Math.min(wanted, Math.floor(30_000 / Math.max(1, columns))));
}

async function copyTable(source: DB, trx: AnyDb, table: TableInfo, batch: number): Promise<number> {
  let copied = 0;
  const size = insertBatchSize(table.columns.length, batch);
  for await (const rows of batches(source, table, size)) {
    const values = rows.map((row) => ({ ...row, ...Object.fromEntries(table.deferred.map((c) => [c, null])) }));
    await trx.insertInto(table.name).values(values).execute();
    copied += rows.length;
  }
  return copied;
}

/** Fills in the references copied as NULL to break a cycle, now that the rows they point at exist. */
async function fillDeferred(source: DB, trx: AnyDb, table: TableInfo, batch: number): Promise<void> {
  if (table.deferred.length === 0) return;
  for await (const rows of batches(source, table, batch)) {
    for (const row of rows) {
      if (table.deferred.every((c) => row[c] === null)) continue;
      let update = trx.updateTable(table.name).set(Object.fromEntries(table.deferred.map((c) => [c, row[c]])));
      for (const key of table.primaryKey) update = update.where(key, '=', row[key]);
      await update.execute();
    }
  }
}

/** After explicit ids were written, each identity column continues after the highest copied id. */
async function resetIdentities(trx: AnyDb): Promise<void> {
  const identities = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and is_identity = 'YES'`.execute(trx);
  for (const { table_name, column_name } of identities.rows) {
    await sql`select setval(pg_get_serial_sequence(${table_name}, ${column_name}),
      coalesce((select max(${sql.ref(column_name)}) from ${sql.table(table_name)}), 0) + 1, false)`.execute(trx);
  }
}

export interface CopyOptions {
  batch?: number;
  log?: (line: string) => void;
}

/**
 * Copies every app table of `source` (SQLite) into `target` (PostgreSQL, migrated to the same version, and
 * holding no users yet) and verifies the copy. Throws, with the target rolled back, on any difference.
 */
export async function copyDatabase(
  source: SqliteHandle,
  target: DB,
  options: CopyOptions = {},
): Promise<TableReport[]> {
  if (engineOf(target) !== 'postgres') throw new Error('db:copy writes to PostgreSQL only');
  const batch = options.batch ?? 1000;
  const log = options.log ?? (() => undefined);
  const tables = dependencyOrder(await sqliteTables(source));
  const existing = await target
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  if (Number(existing?.n ?? 0) > 0) throw new Error('the target database already has users: copy into a new database');
  const reports = await target.transaction().execute(async (trx) => {
    // Every timestamp the app wrote carries its zone; one without is read as UTC, as the app meant it.
    await sql`set local time zone 'UTC'`.execute(trx);
    // Rows the target's migrations wrote (settings and the like) give way to the source's; roll-up triggers
    // stay quiet while rows arrive (the copied roll-up tables are already what they would compute).
    for (const table of [...tables].reverse()) await trx.deleteFrom(table.name as 'users').execute();
    for (const table of tables) {
      await sql`alter table ${sql.table(table.name)} disable trigger user`.execute(trx);
      const copied = await copyTable(source.db, trx, table, batch);
      await sql`alter table ${sql.table(table.name)} enable trigger user`.execute(trx);
      log(`${table.name}: ${copied} rows`);
    }
    for (const table of tables) await fillDeferred(source.db, trx, table, batch);
    await resetIdentities(trx);
    return verifyCopy(source.db, trx, tables);
  });
  // Until autovacuum gets round to the new rows, PostgreSQL would plan the first requests over tables it believes
  // empty, and read every covering index's rows from the tables too (no visibility map yet): the quality report's
  // scorecard sums took 86 ms at 1M calls before this, 27 ms after.
  await sql`vacuum analyze`.execute(target);
  log('vacuumed and analysed the copied tables');
  return reports;
}

/** The timestamptz columns of the target's tables (migration 20261215T0100_timestamptz), by table. */
async function timestampColumns(target: AnyDb): Promise<Map<string, Set<string>>> {
  const columns = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and data_type = 'timestamp with time zone'`.execute(target);
  const byTable = new Map<string, Set<string>>();
  for (const { table_name, column_name } of columns.rows) {
    byTable.set(table_name, (byTable.get(table_name) ?? new Set()).add(column_name));
  }
  return byTable;
}

/** Row counts and checksums of every table on both sides; throws naming each table that differs. */
export async function verifyCopy(source: AnyDb, target: AnyDb, tables: TableInfo[]): Promise<TableReport[]> {
  const reports: TableReport[] = [];
  const differences: string[] = [];
  const instants = await timestampColumns(target);
  for (const table of tables) {
    const columns = instants.get(table.name);
    const [from, to] = [
      await tableChecksum(source, table, 2000, columns),
      await tableChecksum(target, table, 2000, columns),
    ];
    if (from.rows !== to.rows || from.checksum !== to.checksum) {
      differences.push(
        `${table.name}: ${from.rows} rows (${from.checksum.slice(0, 12)}) → ${to.rows} (${to.checksum.slice(0, 12)})`,
      );
    }
    reports.push(from);
  }
  if (differences.length > 0) throw new Error(`the copy differs from the source:\n  ${differences.join('\n  ')}`);
  return reports;
}
