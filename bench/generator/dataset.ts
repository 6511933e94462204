import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { openDatabase } from '../../src/db/database';
import { createMigrator } from '../../src/db/migrate';
import { hashPassword } from '../../src/lib/passwords';
import { shortCount } from '../lib/args';
import {
  BENCH_PASSWORD,
  DATABASE_FILE,
  DEFAULT_MIGRATIONS_DIR,
  GENERATOR_VERSION,
  MANIFEST_FILE,
  RECORDINGS_DIR,
  datasetKey,
  flushToDisk,
  migrationNames,
  readManifest,
  type GenerateOptions,
  type Manifest,
} from '../lib/dataset';
import { Rng } from '../lib/rng';
import { TELEPHONY, smallWav } from '../lib/wav';
import { SEED_HOOKS, type SeedContext } from '../seed/hooks';
import { insertAudit } from './audit';
import { insertCalls } from './calls';
import { buildOrg, type BuiltOrg } from './org';
import { BATCH, CATEGORIES, DAY_MS, isoDay, log } from './vocabulary';

export interface GenerateResult {
  dir: string;
  manifest: Manifest;
}

/** Generates a dataset into `dir` (replacing what the generator wrote there before). */
export async function generateDataset(
  options: GenerateOptions,
  dir: string,
  migrationsDir = DEFAULT_MIGRATIONS_DIR,
): Promise<GenerateResult> {
  const started = performance.now();
  const rng = new Rng(options.seed);
  const endMs = options.end ? Date.parse(`${options.end}T00:00:00.000Z`) : Math.floor(Date.now() / DAY_MS) * DAY_MS;
  if (!Number.isFinite(endMs)) throw new Error(`--end must be a date like 2026-11-23, got "${options.end}"`);
  const startMs = endMs - options.days * DAY_MS;
  const nowIso = new Date(endMs).toISOString();
  if (options.teams < options.departments) throw new Error('--teams must be at least --departments');
  if (options.csrs < options.teams) throw new Error('--csrs must be at least --teams (every team needs a CSR)');
  if (options.teams < 3) throw new Error('--teams must be at least 3 (the bench accounts need three teams)');

  clearGenerated(dir);
  const dbFile = path.join(dir, DATABASE_FILE);

  // 1. The schema, exactly as the app builds it.
  const handle = openDatabase(dbFile);
  const migrated = await createMigrator(handle.db, migrationsDir).migrateToLatest();
  await handle.close();
  if (migrated.error) throw new Error(`migrating the new database failed: ${String(migrated.error)}`);

  // One hash for every bench account: the app verifies it at whatever cost it names (logN in the hash).
  const passwordHash = await hashPassword(BENCH_PASSWORD, options.scryptLogN);

  // 2. The shared recording every stored call points at.
  const shared = writeSharedRecording(dir);

  // 3. Bulk load on a raw connection tuned for it.
  const sqlite = openBulkConnection(dbFile);
  const bulkInsert = bulkInserter(sqlite);

  const org = buildOrg(options, rng);
  const orgCreatedAt = new Date(startMs - 30 * DAY_MS).toISOString();
  insertOrg(bulkInsert, org, passwordHash, orgCreatedAt);
  log(
    `org: ${org.departments.length} departments, ${org.teams.length} teams, ${org.users.length} users ` +
      `(${options.csrs} CSRs)`,
  );

  // 4. Calls, in started_at order, so ids grow with time as they do when calls arrive day by day.
  const callStats = insertCalls(sqlite, options, rng, org, startMs, shared);
  log(`calls: ${callStats.counts.calls} in ${Math.round(performance.now() - started)} ms so far`);

  // 5. Audit entries: user creation and one per daily ACD import (per pushed call with --audit full).
  const auditRows = insertAudit(sqlite, options, org, callStats.importDays, orgCreatedAt);

  // 6. Hooks for tables later issues add.
  const tableExists = (name: string) =>
    Boolean(sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(name));
  const context: SeedContext = {
    sqlite,
    rng,
    org,
    calls: {
      count: options.calls,
      firstId: 1,
      lastId: options.calls,
      periodStartMs: startMs,
      periodEndMs: endMs,
      evaluated: callStats.evaluated,
    },
    nowIso,
    tableExists,
    bulkInsert,
    counts: {},
    log,
  };
  const hookCounts: Record<string, number> = {};
  for (const hook of SEED_HOOKS) {
    const hookStarted = performance.now();
    const n = await hook.run(context);
    hookCounts[hook.table] = n;
    if (n) log(`${hook.describe}: ${n} rows in ${Math.round(performance.now() - hookStarted)} ms`);
  }
  Object.assign(hookCounts, context.counts);

  if (options.analyze) sqlite.exec('analyze');
  sqlite.pragma('locking_mode = NORMAL');
  sqlite.pragma('journal_mode = WAL');
  const violations = sqlite.pragma('foreign_key_check') as unknown[];
  if (violations.length) throw new Error(`generated data breaks ${violations.length} foreign keys`);
  sqlite.close();

  const accounts = org.accounts;
  const manifest: Manifest = {
    generatorVersion: GENERATOR_VERSION,
    key: datasetKey(options, migrationsDir),
    options: { ...options, end: isoDay(endMs) },
    migrations: migrationNames(migrationsDir),
    period: { from: isoDay(startMs), to: isoDay(endMs - DAY_MS) },
    password: BENCH_PASSWORD,
    scryptLogN: options.scryptLogN,
    accounts,
    samples: {
      agentInSupervisorTeam: org.sampleAgent,
      supervisorTeamId: accounts.supervisor.teamIds[0],
      category: 'warranty',
      categories: CATEGORIES.map((c) => c[0]).filter((c): c is string => c !== null),
    },
    counts: {
      departments: org.departments.length,
      teams: org.teams.length,
      users: org.users.length,
      ...callStats.counts,
      audit_log: auditRows,
      ...hookCounts,
    },
    sharedRecording: shared,
    generatedInMs: Math.round(performance.now() - started),
    databaseBytes: fs.statSync(dbFile).size,
    generatedAt: new Date().toISOString(),
  };
  flushToDisk(dir);
  fs.writeFileSync(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir, manifest };
}

/** Reuses a finished dataset with the same options in `dir`, or generates one. */
export async function ensureDataset(
  options: GenerateOptions,
  dir: string,
  force = false,
  migrationsDir = DEFAULT_MIGRATIONS_DIR,
): Promise<Manifest> {
  const existing = readManifest(dir);
  const key = datasetKey(options, migrationsDir);
  if (!force && existing && existing.key === key && existing.generatorVersion === GENERATOR_VERSION) {
    log(`reusing ${dir} (${shortCount(existing.options.calls)} calls, generated ${existing.generatedAt})`);
    return existing;
  }
  log(`generating ${shortCount(options.calls)} calls into ${dir}`);
  const { manifest } = await generateDataset(options, dir, migrationsDir);
  log(
    `done in ${(manifest.generatedInMs / 1000).toFixed(1)} s: ${(manifest.databaseBytes / 1048576).toFixed(0)} MB database`,
  );
  return manifest;
}

/** Removes only what this generator writes, so --out can point at an existing folder. */
function clearGenerated(dir: string): void {
  fs.mkdirSync(path.join(dir, RECORDINGS_DIR), { recursive: true });
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith(DATABASE_FILE) || name === MANIFEST_FILE) fs.rmSync(path.join(dir, name), { force: true });
  }
  for (const name of fs.readdirSync(path.join(dir, RECORDINGS_DIR))) {
    if (/^[a-f0-9]{32}\.wav$/.test(name)) fs.rmSync(path.join(dir, RECORDINGS_DIR, name), { force: true });
  }
}

function writeSharedRecording(dir: string) {
  const wav = smallWav(12);
  const sharedFile = `${crypto.createHash('md5').update(wav).digest('hex')}.wav`;
  fs.writeFileSync(path.join(dir, RECORDINGS_DIR, sharedFile), wav);
  return {
    file: sharedFile,
    bytes: wav.length,
    sha256: crypto.createHash('sha256').update(wav).digest('hex'),
    durationS: (wav.length - 44) / (TELEPHONY.sampleRate * 2),
  };
}

/** A raw connection tuned for bulk loading (no journal, no sync, one big cache). */
function openBulkConnection(dbFile: string): SQLite.Database {
  const sqlite = new SQLite(dbFile);
  sqlite.pragma('journal_mode = OFF');
  sqlite.pragma('synchronous = OFF');
  sqlite.pragma('foreign_keys = OFF');
  sqlite.pragma('locking_mode = EXCLUSIVE');
  sqlite.pragma('temp_store = MEMORY');
  sqlite.pragma('cache_size = -1000000');

  return sqlite;
}

type BulkInsert = SeedContext['bulkInsert'];

/** Inserts rows in transactions of `batch` rows through one prepared statement; returns how many. */
function bulkInserter(sqlite: SQLite.Database): BulkInsert {
  return (table: string, columns: readonly string[], rows: Iterable<readonly unknown[]>, batch = BATCH) => {
    const stmt = sqlite.prepare(
      `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`,
    );
    let count = 0;
    let pending: Array<readonly unknown[]> = [];
    const flush = sqlite.transaction((items: Array<readonly unknown[]>) => {
      for (const item of items) stmt.run(...item);
    });
    for (const row of rows) {
      pending.push(row);
      if (pending.length >= batch) {
        flush(pending);
        count += pending.length;
        pending = [];
      }
    }
    if (pending.length) flush(pending);
    return count + pending.length;
  };
}

/** Departments, teams, people and who supervises which team. */
function insertOrg(bulkInsert: BulkInsert, org: BuiltOrg, passwordHash: string, orgCreatedAt: string): void {
  bulkInsert(
    'departments',
    ['id', 'name', 'manager_id', 'budget_cents', 'budget_period', 'created_at'],
    org.departments.map((d) => [d.id, d.name, d.managerId, d.budgetCents, 'quarter', orgCreatedAt]),
  );
  bulkInsert(
    'teams',
    ['id', 'name', 'department_id', 'created_at'],
    org.teams.map((t) => [t.id, t.name, t.departmentId, orgCreatedAt]),
  );
  bulkInsert(
    'users',
    ['id', 'username', 'display_name', 'password_hash', 'role', 'team_id', 'active', 'created_at', 'updated_at'],
    org.users.map((u) => [
      u.id,
      u.username,
      org.displayNames.get(u.id)!,
      passwordHash,
      u.role,
      u.role === 'csr' ? u.teamId : null,
      u.active ? 1 : 0,
      orgCreatedAt,
      orgCreatedAt,
    ]),
  );
  bulkInsert(
    'team_supervisors',
    ['team_id', 'user_id'],
    org.teams.flatMap((t) => t.supervisorIds.map((s) => [t.id, s])),
  );
}
