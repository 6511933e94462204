import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

export const PROJECT_ROOT = path.resolve(__dirname, '../..');
export const DEFAULT_MIGRATIONS_DIR = path.join(PROJECT_ROOT, 'migrations');

/** Bump when the generator's output changes, so cached datasets are rebuilt. */
export const GENERATOR_VERSION = 2;

export const MANIFEST_FILE = 'bench-manifest.json';
export const DATABASE_FILE = 'callscore.db';
/** The database as the runner keeps it in its cache (gzip level 1: 800 MB → about 240 MB at 1M calls). */
export const COMPRESSED_DATABASE_FILE = `${DATABASE_FILE}.gz`;
export const RECORDINGS_DIR = 'recordings';

/** Every bench account has this password (hashed once at a low scrypt cost; never use it anywhere real). */
export const BENCH_PASSWORD = 'bench-callscore-load-2026';

export interface GenerateOptions {
  calls: number;
  csrs: number;
  teams: number;
  departments: number;
  /** Days of history, ending at `end` (exclusive). */
  days: number;
  /** YYYY-MM-DD, the day after the last call; defaults to today (UTC). */
  end?: string;
  seed: number;
  scryptLogN: number;
  /** Of the calls inside the recording window, the share with a stored recording. */
  recordedShare: number;
  /** Recordings exist only for the most recent this many days (older calls came from the ACD import). */
  recordingDays: number;
  abandonedShare: number;
  outboundShare: number;
  /**
   * Of the answered calls (over the whole year), the share already scored (calls.evaluation_count > 0; one in
   * ten of those twice). The default gives about one scorecard per ten calls: 100,000 at 1M calls.
   */
  evaluatedShare: number;
  /** Of the calls with a recording, the share with a WebVTT transcript stored. */
  transcriptShare: number;
  /** Of the answered inbound calls, the share with a CSAT survey answer. */
  csatShare: number;
  /** 'light': user creation and one entry per daily ACD import; 'full': also one per pushed call. */
  audit: 'light' | 'full';
  /**
   * Run ANALYZE after loading. Off by default: the app's only ANALYZE is in a migration, which on a new
   * installation runs on empty tables, so a grown database has no statistics.
   */
  analyze: boolean;
}

export const DEFAULT_OPTIONS: GenerateOptions = {
  calls: 1_000_000,
  csrs: 1000,
  teams: 50,
  departments: 5,
  days: 365,
  seed: 20261123,
  scryptLogN: 10,
  recordedShare: 0.7,
  recordingDays: 180,
  abandonedShare: 0.06,
  outboundShare: 0.15,
  evaluatedShare: 0.096,
  transcriptShare: 0.1,
  csatShare: 0.25,
  audit: 'light',
  analyze: false,
};

export interface BenchAccount {
  username: string;
  role: 'admin' | 'manager' | 'supervisor' | 'csr';
  /** Teams in the account's scope (supervisor: supervised; manager: the department's; admin: all → []). */
  teamIds: number[];
}

export interface Manifest {
  generatorVersion: number;
  key: string;
  options: GenerateOptions;
  /** The migrations the schema was built with. */
  migrations: string[];
  period: { from: string; to: string };
  password: string;
  scryptLogN: number;
  accounts: {
    admin: BenchAccount;
    manager: BenchAccount;
    supervisor: BenchAccount;
    supervisorOneTeam: BenchAccount;
    csr: BenchAccount;
  };
  /** Handy filter values for scenarios. */
  samples: {
    /** A CSR in the bench supervisor's first team (busy, active). */
    agentInSupervisorTeam: string;
    /** A team the bench supervisor supervises. */
    supervisorTeamId: number;
    /** A middling category (about 7% of calls). */
    category: string;
    categories: string[];
  };
  counts: Record<string, number>;
  sharedRecording: { file: string; bytes: number; sha256: string; durationS: number };
  generatedInMs: number;
  databaseBytes: number;
  generatedAt: string;
}

export function cacheRoot(): string {
  return process.env.BENCH_CACHE_DIR ?? path.join(os.tmpdir(), 'callscore-bench');
}

/** A readable, stable folder name for a dataset: sizes first, then a hash of every other option. */
export function datasetKey(options: GenerateOptions, migrationsDir = DEFAULT_MIGRATIONS_DIR): string {
  const { end: _end, ...rest } = options;
  const hash = crypto
    .createHash('sha256')
    .update(JSON.stringify({ v: GENERATOR_VERSION, migrations: migrationNames(migrationsDir), ...rest }))
    .digest('hex')
    .slice(0, 8);
  return `calls${options.calls}-csrs${options.csrs}-teams${options.teams}-depts${options.departments}-${hash}`;
}

/** The app's migrations by name: a new migration means a new dataset (the cached one has the old schema). */
export function migrationNames(dir = DEFAULT_MIGRATIONS_DIR): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{8}T\d{4}_[a-z0-9_]+\.ts$/.test(f))
    .sort();
}

export function defaultDatasetDir(options: GenerateOptions, migrationsDir = DEFAULT_MIGRATIONS_DIR): string {
  return path.join(cacheRoot(), 'datasets', datasetKey(options, migrationsDir));
}

export function readManifest(dir: string): Manifest | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
  } catch {
    return null;
  }
}

export function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += dirBytes(full);
    else if (entry.isFile()) total += fs.statSync(full).size;
  }
  return total;
}

/**
 * Compresses a generated dataset's database in place (callscore.db → callscore.db.gz), so the runner's cache
 * holds about a third of the bytes; copyDataset expands it again for each run.
 */
export async function compressDatabase(dir: string): Promise<{ bytes: number; compressedBytes: number; ms: number }> {
  const started = performance.now();
  const source = path.join(dir, DATABASE_FILE);
  const target = path.join(dir, COMPRESSED_DATABASE_FILE);
  const partial = `${target}.partial`;
  const bytes = fs.statSync(source).size;
  await pipeline(fs.createReadStream(source), zlib.createGzip({ level: 1 }), fs.createWriteStream(partial));
  const fd = fs.openSync(partial, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(partial, target);
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${source}${suffix}`, { force: true });
  return { bytes, compressedBytes: fs.statSync(target).size, ms: Math.round(performance.now() - started) };
}

/**
 * Copies a generated dataset to a scratch folder for one run, so uploads, tokens and sessions made by the
 * benchmark never change the cached original. A compressed database is expanded on the way.
 */
export async function copyDataset(source: string, target: string): Promise<void> {
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(path.join(target, RECORDINGS_DIR), { recursive: true });
  for (const name of fs.readdirSync(source)) {
    if (name === COMPRESSED_DATABASE_FILE) {
      await pipeline(
        fs.createReadStream(path.join(source, name)),
        zlib.createGunzip(),
        fs.createWriteStream(path.join(target, DATABASE_FILE)),
      );
      continue;
    }
    if (!name.startsWith(DATABASE_FILE) && name !== MANIFEST_FILE) continue;
    if (name.endsWith('.partial')) continue;
    fs.copyFileSync(path.join(source, name), path.join(target, name), fs.constants.COPYFILE_FICLONE);
  }
  const recordings = path.join(source, RECORDINGS_DIR);
  for (const entry of fs.readdirSync(recordings, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    fs.copyFileSync(
      path.join(recordings, entry.name),
      path.join(target, RECORDINGS_DIR, entry.name),
      fs.constants.COPYFILE_FICLONE,
    );
  }
  flushToDisk(target);
}

/**
 * fsyncs every file under `dir`. Half a gigabyte of freshly written pages being flushed in the background
 * would otherwise slow every fsync the server makes (each API request commits a write) and skew the figures.
 */
export function flushToDisk(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      flushToDisk(full);
    } else if (entry.isFile()) {
      const fd = fs.openSync(full, 'r+');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
  }
}

/** Makes every file under `dir` read-only (the expanded pristine copy each scenario starts from). */
export function freezeDataset(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) freezeDataset(full);
    else if (entry.isFile()) fs.chmodSync(full, 0o444);
  }
}

/**
 * A scenario's own scratch copy of the read-only pristine dataset (a reflink where the file system has them),
 * made writable and flushed, so no scenario sees what an earlier one wrote: the order of scenarios does not
 * change the figures.
 */
export function copyPristine(pristine: string, target: string): void {
  fs.rmSync(target, { recursive: true, force: true });
  const copy = (from: string, to: string) => {
    fs.mkdirSync(to, { recursive: true });
    for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
      const source = path.join(from, entry.name);
      const dest = path.join(to, entry.name);
      if (entry.isDirectory()) copy(source, dest);
      else if (entry.isFile()) {
        fs.copyFileSync(source, dest, fs.constants.COPYFILE_FICLONE);
        fs.chmodSync(dest, 0o644);
      }
    }
  };
  copy(pristine, target);
  flushToDisk(target);
}
