import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app';
import { AnalysisJobs, analysisPool } from '../../src/analysis';
import { LoginThrottle } from '../../src/auth/throttle';
import { loadConfig } from '../../src/config';
import { openConfiguredDatabase } from '../../src/db/database';
import type { AppDeps } from '../../src/deps';
import { ImportJobs } from '../../src/imports';
import { createRecordingStorage } from '../../src/recordings';
import { TestClock, testConfig } from '../helpers/app';

// A PostgreSQL pool that is exhausted (issue 17): requests wait for a connection up to DATABASE_POOL_TIMEOUT_MS,
// but at most DATABASE_POOL_QUEUE_MAX of them; the next is answered 503 with Retry-After at once. The
// "server" here accepts connections and never answers, so every connection stays taken: no PostgreSQL needed.

let silent: net.Server;
let sockets: net.Socket[] = [];
let port = 0;

beforeAll(async () => {
  silent = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  port = (silent.address() as net.AddressInfo).port;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  sockets = [];
  await new Promise((resolve) => silent.close(resolve));
});

function appOnSilentServer(queueMax: string) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pool-queue-'));
  const config = testConfig(dataDir, {
    DATABASE_URL: `postgres://callscore@127.0.0.1:${port}/callscore`,
    DATABASE_POOL_MAX: '1',
    DATABASE_POOL_QUEUE_MAX: queueMax,
    DATABASE_POOL_TIMEOUT_MS: '1500',
  });
  const database = openConfiguredDatabase(config);
  const clock = new TestClock();
  const deps: AppDeps = {
    db: database.db,
    config,
    clock,
    logger: pino({ level: 'silent' }),
    throttle: new LoginThrottle(database.db, clock),
    storage: createRecordingStorage(config),
    imports: new ImportJobs(),
    analysis: new AnalysisJobs(analysisPool()),
    sessionSecret: crypto.randomBytes(16).toString('hex'),
  };
  deps.storage.ensureDirs();
  return { app: createApp(deps), close: () => database.close() };
}

const apiCall = (app: ReturnType<typeof appOnSilentServer>['app']) =>
  request(app)
    .get('/api/v1/calls')
    .set('Authorization', `Bearer ${'x'.repeat(40)}`);

test('beyond DATABASE_POOL_QUEUE_MAX waiting requests, the next is answered 503 with Retry-After at once; the waiting ones 503 after the timeout', async () => {
  const { app, close } = appOnSilentServer('2');
  try {
    // One takes the only connection (which never opens), two wait for it: the queue is full.
    const held = [apiCall(app), apiCall(app), apiCall(app)].map((r) => r.then((res) => res));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    const refused = await apiCall(app);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body.error.message).toBe('The server is busy saving other changes; nothing was saved. Try again.');
    // The three that waited are answered too (the wait is bounded): 503, never a 500 or a hang.
    const answers = await Promise.all(held);
    expect(answers.map((res) => res.status)).toEqual([503, 503, 503]);
    expect(Date.now() - started).toBeGreaterThan(900);
  } finally {
    await close();
  }
});

test('DATABASE_POOL_QUEUE_MAX is checked at start: a number from 0 to 10000, 100 by default', () => {
  const base = { NODE_ENV: 'test', DATA_DIR: os.tmpdir() };
  expect(loadConfig(base).databasePoolQueueMax).toBe(100);
  expect(loadConfig({ ...base, DATABASE_POOL_QUEUE_MAX: '0' }).databasePoolQueueMax).toBe(0);
  expect(() => loadConfig({ ...base, DATABASE_POOL_QUEUE_MAX: '-1' })).toThrow(/DATABASE_POOL_QUEUE_MAX/);
  expect(() => loadConfig({ ...base, DATABASE_POOL_QUEUE_MAX: 'lots' })).toThrow(/DATABASE_POOL_QUEUE_MAX/);
});
