import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app';
import { AnalysisJobs, analysisPool } from '../../src/analysis';
import { LoginThrottle } from '../../src/auth';
import { openConfiguredDatabase, openPostgres, type DatabaseHandle, type PostgresHandle } from '../../src/db/database';
import { migrateDown, migrateToLatest } from '../../src/db/migrate';
import type { AppDeps } from '../../src/deps';
import { ImportJobs } from '../../src/imports';
import { systemClock } from '../../src/lib/clock';
import { createRecordingStorage } from '../../src/recordings';
import { testConfig } from '../helpers/app';
import { withDatabase } from '../helpers/pg-leg';

// The database going away mid-run (issue 17): the app reaches PostgreSQL through a TCP proxy on loopback that the
// test cuts and restores. While cut, requests are answered 503 with Retry-After and /readyz says the database is
// unreachable; once restored, the same process answers again by itself. /readyz also reports migrations pending
// and storage unreachable. Needs PG_TEST_URL (a real server: PGlite has no TCP listener); in test:procs.

const SERVER_URL = process.env.PG_TEST_URL;
if (!SERVER_URL) throw new Error('test/procs needs a PostgreSQL server: set PG_TEST_URL (.ci/run starts one).');
const dbName = `cs_outage_${crypto.randomBytes(5).toString('hex')}`;

/** A TCP proxy to the PostgreSQL server that can be cut (open connections dropped, new ones closed) and restored. */
class CuttableProxy {
  private readonly sockets = new Set<net.Socket>();
  private cutOff = false;
  readonly server: net.Server;

  constructor(target: { host: string; port: number }) {
    this.server = net.createServer((client) => {
      client.on('error', () => undefined);
      if (this.cutOff) return void client.destroy();
      const upstream = net.connect(target.port, target.host);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }
  cut(): void {
    this.cutOff = true;
    for (const s of this.sockets) s.destroy();
  }
  restore(): void {
    this.cutOff = false;
  }
  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

async function admin<T>(work: (db: PostgresHandle['db']) => Promise<T>): Promise<T> {
  const handle = openPostgres(withDatabase(SERVER_URL ?? '', 'postgres'), { max: 1 });
  try {
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}

let proxy: CuttableProxy;
let direct: PostgresHandle;
let database: DatabaseHandle;
let deps: AppDeps;

beforeAll(async () => {
  await admin((db) => sql`create database ${sql.id(dbName)}`.execute(db));
  direct = openPostgres(withDatabase(SERVER_URL, dbName), { max: 2 });
  await migrateToLatest(direct.db);
  const server = new URL(SERVER_URL);
  proxy = new CuttableProxy({ host: server.hostname, port: Number(server.port || 5432) });
  const proxied = new URL(withDatabase(SERVER_URL, dbName));
  proxied.hostname = '127.0.0.1';
  proxied.port = String(await proxy.listen());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'callscore-outage-'));
  const config = testConfig(dataDir, { DATABASE_URL: proxied.toString(), DATABASE_POOL_TIMEOUT_MS: '2000' });
  database = openConfiguredDatabase(config);
  deps = {
    db: database.db,
    config,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    throttle: new LoginThrottle(database.db, systemClock),
    storage: createRecordingStorage(config),
    imports: new ImportJobs(),
    analysis: new AnalysisJobs(analysisPool()),
    sessionSecret: crypto.randomBytes(16).toString('hex'),
  };
  deps.storage.ensureDirs();
}, 120_000);

afterAll(async () => {
  await database.close();
  await proxy.close();
  await direct.close();
  await admin((db) => sql`drop database if exists ${sql.id(dbName)} with (force)`.execute(db));
});

/** An API request that needs the database (its token is looked up): 401 while the database answers. */
const apiCall = () =>
  request(createApp(deps))
    .get('/api/v1/calls')
    .set('Authorization', `Bearer ${'x'.repeat(40)}`);

test('the database cut mid-run: 503 with Retry-After and /readyz not ready; restored: the same process answers again by itself', async () => {
  const app = createApp(deps);
  expect((await apiCall()).status).toBe(401);
  expect((await request(app).get('/readyz')).body).toMatchObject({ status: 'ready' });

  proxy.cut();
  const down = await apiCall();
  expect(down.status).toBe(503);
  expect(down.headers['retry-after']).toBe('5');
  expect(down.body.error).toMatchObject({ code: 'database_unavailable' });
  const ready = await request(app).get('/readyz');
  expect(ready.status).toBe(503);
  expect(ready.headers['retry-after']).toBe('5');
  expect(ready.body).toMatchObject({ status: 'not_ready', checks: { database: 'unreachable', storage: 'ok' } });

  proxy.restore();
  let status = 0;
  for (let i = 0; i < 20 && status !== 401; i += 1) {
    status = (await apiCall()).status;
    if (status !== 401) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(status).toBe(401);
  expect((await request(app).get('/readyz')).status).toBe(200);
}, 60_000);

test('/readyz names a pending migration, and storage that cannot be written', async () => {
  const app = createApp(deps);
  const [last] = (await migrateDown(direct.db)).results ?? [];
  try {
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.checks).toMatchObject({ database: 'ok', migrations: `pending: ${last?.migrationName}` });
  } finally {
    await migrateToLatest(direct.db);
  }
  fs.rmSync(deps.storage.recordingsDir, { recursive: true, force: true });
  try {
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body.checks).toMatchObject({ database: 'ok', migrations: 'ok', storage: 'not_writable' });
  } finally {
    deps.storage.ensureDirs();
  }
  expect((await request(app).get('/readyz')).status).toBe(200);
}, 60_000);
