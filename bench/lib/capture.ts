/**
 * The SQL a route really runs: the app's own compiled code (dist/) is started in this process, wired exactly
 * like src/server.ts wires it (same openDatabase pragmas, same createApp), except that its Kysely instance
 * logs every statement. Each route is requested over HTTP (signed in, as the scenarios do); the statements of
 * its second request are kept, then every distinct SELECT is planned (EXPLAIN QUERY PLAN) and timed alone on
 * a separate read-only connection. Same idea as lib/explain.ts, but for whole routes.
 */
import { createRequire } from 'node:module';
import http from 'node:http';
import path from 'node:path';
import type SQLite from 'better-sqlite3';
import type { AppUnderTest } from './app';
import { DATABASE_FILE } from './dataset';
import { queryPlan } from './explain';
import { request } from './http';
import { round, summarize } from './stats';

export interface CapturedStatement {
  sql: string;
  /** Parameters of the first execution (others differ only in values: keyset pages, team ids). */
  params: unknown[];
  /** How many times the route ran it. */
  count: number;
  /** Sum of the durations Kysely measured inside the app, ms. */
  inAppMs: number;
  write: boolean;
}

export interface PlannedStatement extends CapturedStatement {
  plan: string[];
  /** Median of up to 5 runs alone on SQLite (after a warm-up), ms; null for writes (not re-run). */
  aloneMs: number | null;
  rows: number | null;
  /** Full scans of the big tables: "calls", "evaluations (as e)", with "covering index" when it is one. */
  scans: string[];
}

export interface CapturedRoute {
  id: string;
  path: string;
  status: number;
  /** Whole request as the client saw it, ms (in-process server, logging on). */
  requestMs: number;
  statements: PlannedStatement[];
}

export const BIG_TABLES = ['calls', 'evaluations', 'evaluation_answers'];

/** `SCAN x` lines of a plan on one of the big tables (aliases resolved from the SQL). */
export function bigTableScans(sql: string, plan: string[]): string[] {
  const alias = new Map<string, string>();
  for (const m of sql.matchAll(/"(\w+)"\s+as\s+"(\w+)"/g)) alias.set(m[2], m[1]);
  const out: string[] = [];
  for (const line of plan) {
    const m = /^\s*SCAN (\w+)(.*)$/.exec(line);
    if (!m) continue;
    const table = alias.get(m[1]) ?? m[1];
    if (!BIG_TABLES.includes(table)) continue;
    const how = /COVERING INDEX (\w+)/.exec(m[2])
      ? `full scan of covering index ${/COVERING INDEX (\w+)/.exec(m[2])![1]}`
      : /USING INDEX (\w+)/.exec(m[2])
        ? `full scan in the order of index ${/USING INDEX (\w+)/.exec(m[2])![1]}`
        : 'full table scan';
    out.push(`${table}${table !== m[1] ? ` (as ${m[1]})` : ''}: ${how}`);
  }
  return out;
}

/** A SEARCH matching at least this share of a big table's rows is as good as a full scan (and flagged). */
export const NEAR_FULL_SHARE = 0.2;

/**
 * SEARCH lines on a big table whose constraints are equalities on columns with few values (kind,
 * recording_status): SQLite shows them as a search, but without statistics it assumes an equality matches a
 * handful of rows, and it walks (nearly) the whole table through the index. The share is that of the most
 * common value combination.
 */
export function nearFullSearches(
  db: SQLite.Database,
  sql: string,
  plan: string[],
  shares: Map<string, number>,
): string[] {
  const alias = new Map<string, string>();
  for (const m of sql.matchAll(/"(\w+)"\s+as\s+"(\w+)"/g)) alias.set(m[2], m[1]);
  const out: string[] = [];
  for (const line of plan) {
    const m = /^\s*SEARCH (\w+) USING (?:COVERING )?INDEX (\w+) \((.*)\)/.exec(line);
    if (!m) continue;
    const table = alias.get(m[1]) ?? m[1];
    if (!BIG_TABLES.includes(table)) continue;
    const terms = m[3].split(' AND ');
    if (!terms.every((t) => /^\w+=\?$/.test(t))) continue;
    const columns = terms.map((t) => t.slice(0, -2));
    const key = `${table}(${columns.join(',')})`;
    let share = shares.get(key);
    if (share === undefined) {
      const cols = columns.map((c) => `"${c}"`).join(', ');
      const row = db
        .prepare(
          `select max(n) * 1.0 / (select count(*) from "${table}") as share from (select count(*) as n from "${table}" group by ${cols})`,
        )
        .get() as { share: number | null };
      share = row.share ?? 0;
      shares.set(key, share);
    }
    if (share >= NEAR_FULL_SHARE) {
      out.push(
        `${table}${table !== m[1] ? ` (as ${m[1]})` : ''}: near-full scan through index ${m[2]} (${m[3]} matches up to ${Math.round(share * 100)}% of the rows)`,
      );
    }
  }
  return out;
}

/** Times a statement alone: one warm-up, then up to 5 runs or 3 s. */
export function timeAlone(db: SQLite.Database, sql: string, params: unknown[]): { ms: number; rows: number } {
  const stmt = db.prepare(sql);
  let rows = stmt.all(...params).length;
  const times: number[] = [];
  const budget = performance.now() + 3000;
  while (times.length < 5 && (times.length === 0 || performance.now() < budget)) {
    const started = performance.now();
    rows = stmt.all(...params).length;
    times.push(performance.now() - started);
  }
  return { ms: summarize(times).median, rows };
}

export interface CaptureCase {
  id: string;
  path: string;
  headers: Record<string, string>;
  method?: string;
  /** A fresh body for each of the two requests (a POST that must not repeat itself). */
  body?: () => string;
}

interface InProcessApp {
  baseUrl: string;
  captured: Array<{ sql: string; params: unknown[]; ms: number }>;
  close(): Promise<void>;
}

/** Starts the app under test in this process on the data folder, with a statement-logging Kysely. */
export async function startInProcess(app: AppUnderTest, dataDir: string, scryptLogN: number): Promise<InProcessApp> {
  const dist = (file: string) => path.join(app.dir, 'dist', 'src', file);
  const appRequire = createRequire(path.join(app.dir, 'package.json'));
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Kysely, SqliteDialect } = appRequire('kysely') as typeof import('kysely');
  const { loadConfig } = require(dist('config.js')) as typeof import('../../src/config');
  const { createLogger, sessionSecret } = require(dist('bootstrap.js')) as typeof import('../../src/bootstrap');
  const { openDatabase } = require(dist('db/database.js')) as typeof import('../../src/db/database');
  const { createApp } = require(dist('app.js')) as typeof import('../../src/app');
  const { LoginThrottle } = require(dist('auth/throttle.js')) as typeof import('../../src/auth/throttle');
  const { RecordingStorage } = require(dist('recordings/storage.js')) as typeof import('../../src/recordings/storage');
  const { systemClock } = require(dist('lib/clock.js')) as typeof import('../../src/lib/clock');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const config = loadConfig({
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    SCRYPT_LOG_N: String(scryptLogN),
  });
  // The app's own connection and pragmas; only the Kysely on top of it logs.
  const handle = openDatabase(path.join(dataDir, DATABASE_FILE));
  const captured: InProcessApp['captured'] = [];
  const db = new Kysely<import('../../src/db/schema').Database>({
    dialect: new SqliteDialect({ database: handle.sqlite }),
    log(event) {
      if (event.level === 'query') {
        captured.push({ sql: event.query.sql, params: [...event.query.parameters], ms: event.queryDurationMillis });
      }
    },
  });
  const clock = systemClock;
  const deps = {
    db,
    config,
    clock,
    logger: createLogger(config),
    throttle: new LoginThrottle(db, clock),
    storage: new RecordingStorage(config.recordingsDir),
    sessionSecret: await sessionSecret(db),
  };
  const server = createApp(deps as never).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    captured,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.destroy();
    },
  };
}

/** Groups a request's statements by SQL text. */
function group(captured: InProcessApp['captured']): CapturedStatement[] {
  const bySql = new Map<string, CapturedStatement>();
  for (const q of captured) {
    const existing = bySql.get(q.sql);
    if (existing) {
      existing.count += 1;
      existing.inAppMs += q.ms;
    } else {
      bySql.set(q.sql, {
        sql: q.sql,
        params: q.params,
        count: 1,
        inAppMs: q.ms,
        write: !/^\s*(select|with)\b/i.test(q.sql),
      });
    }
  }
  return [...bySql.values()].map((s) => ({ ...s, inAppMs: round(s.inAppMs) }));
}

/** Requests each case twice on the in-process app and keeps the statements of the second request. */
export async function captureRoutes(
  inProcess: InProcessApp,
  cases: CaptureCase[],
): Promise<Array<{ id: string; path: string; status: number; requestMs: number; statements: CapturedStatement[] }>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const out = [];
  try {
    for (const c of cases) {
      const send = () =>
        request(inProcess.baseUrl, c.path, {
          method: c.method ?? 'GET',
          headers: c.headers,
          body: c.body?.(),
          agent,
          keepBody: false,
          timeoutMs: 600_000,
        });
      await send();
      inProcess.captured.length = 0;
      const res = await send();
      out.push({
        id: c.id,
        path: c.path,
        status: res.status,
        requestMs: round(res.ms),
        statements: group(inProcess.captured),
      });
    }
  } finally {
    agent.destroy();
  }
  return out;
}

/** Plans and times every SELECT of the captured routes on a read-only connection. */
export function planRoutes(
  dbFile: string,
  routes: Array<{ id: string; path: string; status: number; requestMs: number; statements: CapturedStatement[] }>,
  sqliteCtor: typeof SQLite,
): CapturedRoute[] {
  const db = new sqliteCtor(dbFile, { readonly: true, fileMustExist: true });
  const cache = new Map<string, { ms: number; rows: number; plan: string[] }>();
  const shares = new Map<string, number>();
  const scansOf = (sql: string, plan: string[]) => [
    ...bigTableScans(sql, plan),
    ...nearFullSearches(db, sql, plan, shares),
  ];
  try {
    return routes.map((r) => ({
      ...r,
      statements: r.statements.map((s) => {
        const plan = queryPlan(db, s.sql, s.params);
        if (s.write) return { ...s, plan, aloneMs: null, rows: null, scans: scansOf(s.sql, plan) };
        const key = `${s.sql}\u0000${JSON.stringify(s.params)}`;
        let timed = cache.get(key);
        if (!timed) {
          const t = timeAlone(db, s.sql, s.params);
          timed = { ...t, plan };
          cache.set(key, timed);
        }
        return { ...s, plan, aloneMs: round(timed.ms), rows: timed.rows, scans: scansOf(s.sql, plan) };
      }),
    }));
  } finally {
    db.close();
  }
}
