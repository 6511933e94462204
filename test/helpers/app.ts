import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import type { Express } from 'express';
import { createApp } from '../../src/app';
import { AnalysisJobs, analysisPool } from '../../src/analysis';
import { LoginThrottle } from '../../src/auth/throttle';
import { ImportJobs } from '../../src/imports/import-jobs';
import { createRecordingStorage } from '../../src/recordings';
import { loadConfig, type Config } from '../../src/config';
import { openDatabase, type DatabaseHandle, type SqliteHandle } from '../../src/db/database';
import type { AppDeps } from '../../src/deps';
import type { Clock } from '../../src/lib/clock';
import { onPostgresLeg, openTestPostgres } from './pg-leg';

/** A clock tests can move forward. */
export class TestClock implements Clock {
  private current: number;
  constructor(start = Date.parse('2026-11-23T09:00:00Z')) {
    this.current = start;
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

export interface TestContext {
  app: Express;
  deps: AppDeps;
  clock: TestClock;
  database: DatabaseHandle;
  dataDir: string;
  /** A second app on the same database file, as after a restart. */
  restart(): TestContext;
  close(): Promise<void>;
}

/** A fresh copy of the migrated template database in its own folder. */
export function freshDataDir(): string {
  const base = process.env.CALLSCORE_TEST_DIR;
  const template = process.env.CALLSCORE_TEST_TEMPLATE;
  if (!base || !template) throw new Error('global setup did not run');
  const dir = fs.mkdtempSync(path.join(base, 'case-'));
  fs.copyFileSync(template, path.join(dir, 'callscore.db'));
  return dir;
}

export function testConfig(dataDir: string, overrides: Record<string, string> = {}): Config {
  // scrypt at a lower cost keeps the suite quick; test/auth/passwords.test.ts checks the OWASP default.
  return loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SCRYPT_LOG_N: '12', ...overrides });
}

/** The raw SQLite connection of a test app; a test that needs it is a SQLite-only test (not on the PostgreSQL leg). */
export function sqliteOf(handle: DatabaseHandle): SqliteHandle['sqlite'] {
  if (handle.engine !== 'sqlite') throw new Error('this test reads the raw SQLite connection: SQLite leg only');
  return handle.sqlite;
}

/** The test app's database: a copy of the SQLite template, or on the PostgreSQL leg a fresh PostgreSQL one. */
function openTestDatabase(config: Config, fresh: boolean, sqliteOnly: boolean): DatabaseHandle {
  return onPostgresLeg() && !sqliteOnly ? openTestPostgres(config.dataDir, fresh) : openDatabase(config.databaseFile);
}

function build(
  dataDir: string,
  clock: TestClock,
  overrides: Record<string, string>,
  fresh = true,
  sqliteOnly = false,
): TestContext {
  const config = testConfig(dataDir, overrides);
  const database = openTestDatabase(config, fresh, sqliteOnly);
  const deps: AppDeps = {
    db: database.db,
    config,
    clock,
    logger: pino({ level: process.env.CALLSCORE_TEST_LOG ?? 'silent' }),
    throttle: new LoginThrottle(database.db, clock),
    storage: createRecordingStorage(config),
    imports: new ImportJobs(),
    analysis: new AnalysisJobs(analysisPool()),
    sessionSecret: crypto.randomBytes(16).toString('hex'),
  };
  deps.storage.ensureDirs();
  const ctx: TestContext = {
    app: createApp(deps),
    deps,
    clock,
    database,
    dataDir,
    restart: () => build(dataDir, clock, overrides, false, sqliteOnly),
    close: async () => {
      await deps.imports.stop();
      await deps.analysis.stop();
      await database.close();
    },
  };
  return ctx;
}

export function makeTestApp(overrides: Record<string, string> = {}): TestContext {
  return build(freshDataDir(), new TestClock(), overrides);
}

/** A test app on a SQLite file on either leg (the source of test/db/copy.test.ts). */
export function makeSqliteTestApp(): TestContext {
  return build(freshDataDir(), new TestClock(), {}, true, true);
}
