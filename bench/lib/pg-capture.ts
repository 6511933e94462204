/**
 * PostgreSQL's side of the raw-SQL reference (issue 17): the app's compiled code started in this process on a
 * PostgreSQL database with a statement-logging Kysely (as lib/capture.ts does on SQLite), and each route's
 * statements replayed in order under `EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON)` inside a transaction that is
 * rolled back, summing the server's own planning and execution times: the SQL's cost without Node, pg's wire
 * protocol or Kysely.
 */
import { createRequire } from 'node:module';
import http from 'node:http';
import path from 'node:path';
import type { AppUnderTest } from './app';
import { credentials, headersFor, type HttpCase } from './cases';
import type { Manifest } from './dataset';
import { request } from './http';
import { summarize, type Summary } from './stats';

export interface PgStatement {
  sql: string;
  params: unknown[];
  /** As Kysely timed it inside the app (pool checkout, wire, server, row parsing), ms. */
  ms?: number;
}

type PgModule = typeof import('pg');

function appRequire(app: AppUnderTest): NodeRequire {
  return createRequire(path.join(app.dir, 'package.json'));
}

/** A pg client of the app's own `pg` package (its type parsers), connected to `url`. */
export async function pgClient(app: AppUnderTest, url: string): Promise<import('pg').Client> {
  const pg = appRequire(app)('pg') as PgModule;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/**
 * Requests each case twice on the app started in this process against `databaseUrl`, keeping the statements
 * of the second request, in order.
 */
export async function capturePostgres(
  app: AppUnderTest,
  databaseUrl: string,
  dataDir: string,
  manifest: Manifest,
  cases: HttpCase[],
): Promise<Map<string, PgStatement[]>> {
  const dist = (file: string) => path.join(app.dir, 'dist', 'src', file);
  const req = appRequire(app);
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Kysely, PostgresDialect } = req('kysely') as typeof import('kysely');
  const pg = req('pg') as PgModule;
  const { appTypes } = require(dist('db/postgres.js')) as typeof import('../../src/db/postgres');
  const { loadConfig } = require(dist('config.js')) as typeof import('../../src/config');
  const { createLogger, sessionSecret } = require(dist('bootstrap.js')) as typeof import('../../src/bootstrap');
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
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    SCRYPT_LOG_N: String(manifest.scryptLogN),
  });
  const captured: PgStatement[] = [];
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, types: appTypes() });
  const db = new Kysely<import('../../src/db/schema').Database>({
    dialect: new PostgresDialect({ pool }),
    log(event) {
      if (event.level === 'query')
        captured.push({ sql: event.query.sql, params: [...event.query.parameters], ms: event.queryDurationMillis });
    },
  });
  const deps = {
    db,
    config,
    clock: systemClock,
    logger: createLogger(config),
    throttle: new LoginThrottle(db, systemClock),
    storage: new RecordingStorage(config.recordingsDir),
    sessionSecret: await sessionSecret(db),
  };
  const server = createApp(deps as never).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const address = server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const out = new Map<string, PgStatement[]>();
  try {
    const creds = await credentials(baseUrl, manifest, [...new Set(cases.map((c) => c.as))]);
    for (const c of cases) {
      const headers = headersFor(c, creds);
      const send = () => request(baseUrl, c.path, { headers, agent, keepBody: false, timeoutMs: 600_000 });
      await send();
      captured.length = 0;
      const res = await send();
      if (res.status !== 200) throw new Error(`capture on PostgreSQL ${c.id}: ${res.status}`);
      out.set(c.id, [...captured]);
    }
  } finally {
    agent.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await db.destroy();
  }
  return out;
}

/** Transaction control and the like cannot be explained (and the replay brackets its own transaction). */
const EXPLAINABLE = /^\s*(select|with|insert|update|delete)\b/i;

interface ExplainJson {
  'Planning Time': number;
  'Execution Time': number;
}

/**
 * The route's statements in order, each under EXPLAIN ANALYZE, in one transaction rolled back (so a session's
 * expiry or a roll-up refresh can repeat): planning + execution time summed over the statements. One warm-up,
 * then up to `samples` runs or `sampleMs` (at least 5); the median is the route's raw SQL time.
 */
export async function explainAnalyze(
  client: import('pg').Client,
  statements: PgStatement[],
  samples: number,
  sampleMs: number,
): Promise<Summary> {
  const once = async () => {
    let total = 0;
    await client.query('begin');
    try {
      for (const s of statements) {
        if (!EXPLAINABLE.test(s.sql)) continue;
        const res = await client.query(`explain (analyze, timing off, format json) ${s.sql}`, s.params);
        const plan = (res.rows[0] as { 'QUERY PLAN': ExplainJson[] })['QUERY PLAN'][0];
        total += plan['Planning Time'] + plan['Execution Time'];
      }
    } finally {
      await client.query('rollback');
    }
    return total;
  };
  await once();
  const times: number[] = [];
  const started = performance.now();
  while (times.length < samples && (times.length < 5 || performance.now() - started < sampleMs)) {
    times.push(await once());
  }
  return summarize(times);
}
