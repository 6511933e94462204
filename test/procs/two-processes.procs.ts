import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { createApp } from '../../src/app';
import { AnalysisJobs, analysisPool } from '../../src/analysis';
import { LoginThrottle } from '../../src/auth';
import { openPostgres, type PostgresHandle } from '../../src/db/database';
import { createMigrator, migrateToLatest } from '../../src/db/migrate';
import type { AppDeps } from '../../src/deps';
import { ImportJobs } from '../../src/imports';
import { systemClock } from '../../src/lib/clock';
import { RecordingStorage } from '../../src/recordings';
import { PASSWORD, buildOrg, type Org } from '../helpers/builders';
import { testConfig } from '../helpers/app';
import { withDatabase } from '../helpers/pg-leg';
import {
  api,
  makeCall,
  publishedRubric,
  tokenFor,
  workedExampleAnswers,
  workedExampleRubric,
} from '../helpers/scoring';
import { call, callForm, killAllStarted, startServer, wavRecording, type ServerProcess } from '../faults/harness';
import { partialUpload } from '../faults/raw-upload';

// Two real app processes on different ports against one PostgreSQL database and one shared data folder (the
// storage settings, e.g. RECORDINGS_URL, pass through to both from the environment). Requests alternate between
// them through a scoring journey; one is killed mid-upload; nothing is lost and nothing is done twice.

const SERVER_URL = process.env.PG_TEST_URL;
if (!SERVER_URL) {
  throw new Error(
    'test/procs needs a PostgreSQL server: set PG_TEST_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres); ' +
      '.ci/run starts one. PGlite cannot stand in: it is one session, so locks between processes mean nothing there.',
  );
}
const dbName = `cs_procs_${crypto.randomBytes(5).toString('hex')}`;
const url = withDatabase(SERVER_URL, dbName);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'callscore-procs-'));

let seed: PostgresHandle;
let deps: AppDeps;
let org: Org;
let a: ServerProcess;
let b: ServerProcess;
const received: Array<{ id: string; type: string }> = [];
const receiver = http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    received.push({ id: String(req.headers['webhook-id']), type: (JSON.parse(body) as { type: string }).type });
    res.writeHead(204).end();
  });
});

async function admin<T>(work: (db: PostgresHandle['db']) => Promise<T>): Promise<T> {
  const handle = openPostgres(withDatabase(SERVER_URL ?? '', 'postgres'), { max: 1 });
  try {
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** How many times scorecard `id` was released (audit entries), and how many coaching tasks it made. */
async function releases(id: number): Promise<number> {
  const rows = await seed.db
    .selectFrom('audit_log')
    .select('id')
    .where('action', '=', 'evaluation.released')
    .where('entity_id', '=', id)
    .execute();
  return rows.length;
}
async function coachingTasks(id: number): Promise<number> {
  return (await seed.db.selectFrom('coaching_tasks').select('id').where('evaluation_id', '=', id).execute()).length;
}

beforeAll(async () => {
  await admin((db) => sql`create database ${sql.id(dbName)}`.execute(db));
  seed = openPostgres(url, { max: 4 });
  await migrateToLatest(seed.db);
  const config = testConfig(dataDir, { DATABASE_URL: url, WEBHOOK_ALLOW_PRIVATE: 'true' });
  deps = {
    db: seed.db,
    config,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    throttle: new LoginThrottle(seed.db, systemClock),
    storage: new RecordingStorage(config.recordingsDir),
    imports: new ImportJobs(),
    analysis: new AnalysisJobs(analysisPool()),
    sessionSecret: 'seeding only',
  };
  deps.storage.ensureDirs();
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
}, 120_000);

afterAll(async () => {
  await killAllStarted();
  receiver.close();
  await deps?.analysis.stop();
  await seed?.close();
  await admin((db) => sql`drop database if exists ${sql.id(dbName)} with (force)`.execute(db));
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('two migrators at once on one database: one waits for the other, each migration runs once', async () => {
  const name = `${dbName}_m`;
  await admin((db) => sql`create database ${sql.id(name)}`.execute(db));
  const [one, two] = [openPostgres(withDatabase(SERVER_URL, name)), openPostgres(withDatabase(SERVER_URL, name))];
  try {
    const results = await Promise.all([
      createMigrator(one.db).migrateToLatest(),
      createMigrator(two.db).migrateToLatest(),
    ]);
    expect(results.map((r) => r.error)).toEqual([undefined, undefined]);
    const ran = results.flatMap((r) => (r.results ?? []).map((m) => m.migrationName));
    const all = (await createMigrator(one.db).getMigrations()).map((m) => m.name);
    expect(ran.sort()).toEqual(all.sort());
  } finally {
    await one.close();
    await two.close();
    await admin((db) => sql`drop database if exists ${sql.id(name)} with (force)`.execute(db));
  }
});

test('a scoring journey across two processes: everything once, nothing lost after one is killed mid-upload', async () => {
  org = await buildOrg(deps);
  const seeding = createApp(deps);
  const adminApi = api(seeding, await tokenFor(deps, org.admin));
  const hook = await adminApi.post('/api/v1/webhooks', {
    url: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`,
    events: ['evaluation.submitted', 'evaluation.released', 'evaluation.acknowledged', 'coaching_task.created'],
  });
  expect(hook.status).toBe(201);
  // A scorecard already due for release when both processes start: both start-ups try to release it.
  const delayed = await publishedRubric(
    deps,
    workedExampleRubric({ name: 'Delayed', release_mode: 'after_days', release_after_days: 1 }),
  );
  const overdue = await api(seeding, await tokenFor(deps, org.supervisorA)).post('/api/v1/evaluations', {
    call_id: (await makeCall(deps, org.admin, org.csrA)).id,
    rubric_id: delayed.id,
    answers: workedExampleAnswers(delayed),
    submit: true,
  });
  expect(overdue.body.status).toBe('submitted');
  await seed.db
    .updateTable('evaluations')
    .set({ release_due_at: '2026-01-01T00:00:00.000Z' })
    .where('id', '=', overdue.body.id)
    .execute();
  const manual = await publishedRubric(
    deps,
    workedExampleRubric({ name: 'Manual', release_mode: 'manual', pass_threshold: 95 }),
  );

  [a, b] = await Promise.all([
    startServer(dataDir, { DATABASE_URL: url, WEBHOOK_ALLOW_PRIVATE: 'true' }, 150_000),
    startServer(dataDir, { DATABASE_URL: url, WEBHOOK_ALLOW_PRIVATE: 'true' }, 150_000),
  ]);
  for (const server of [a, b]) expect((await call(server.baseUrl, 'GET', '/readyz')).status).toBe(200);

  // Sign in on A; the session (and its CSRF token) serve on B.
  const loginPage = await fetch(`${a.baseUrl}/login`);
  let cookie = (loginPage.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await loginPage.text())?.[1] ?? '';
  const login = await fetch(`${a.baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, username: org.supervisorA.username, password: PASSWORD }),
  });
  expect(login.status).toBe(303);
  cookie = (login.headers.get('set-cookie') ?? cookie).split(';')[0] ?? cookie;
  const home = await fetch(`${b.baseUrl}/`, { headers: { cookie }, redirect: 'manual' });
  expect({ status: home.status, log: home.status === 200 ? '' : b.logs().slice(-3000) }).toEqual({
    status: 200,
    log: '',
  });
  const pageCsrf = /name="_csrf" value="([^"]+)"/.exec(await home.text())?.[1] ?? '';
  expect(pageCsrf).not.toBe('');

  // Score on B, release on A, the CSR acknowledges on A.
  const supToken = await tokenFor(deps, org.supervisorA);
  const csrToken = await tokenFor(deps, org.csrA);
  const upload = callForm(org.csrA.username, wavRecording(1));
  const created = await call(b.baseUrl, 'POST', '/api/v1/calls', { token: supToken, form: upload.form });
  expect(created.status).toBe(201);
  const callId = (created.body as { id: number }).id;
  const scored = await call(b.baseUrl, 'POST', '/api/v1/evaluations', {
    token: supToken,
    json: { call_id: callId, rubric_id: manual.id, answers: workedExampleAnswers(manual), submit: true },
  });
  expect(scored.status).toBe(201);
  const evaluation = scored.body as { id: number; coaching_task_id?: number };
  expect(evaluation.coaching_task_id).toEqual(expect.any(Number));
  expect(
    (await call(a.baseUrl, 'POST', `/api/v1/evaluations/${evaluation.id}/release`, { token: supToken })).status,
  ).toBe(200);
  const ack = await call(a.baseUrl, 'POST', `/api/v1/evaluations/${evaluation.id}/acknowledge`, {
    token: csrToken,
    json: { comment: 'Thanks' },
  });
  expect(ack.status).toBe(200);

  // A dies half-way through an upload: B serves on, and the same call uploaded again on B lands once.
  const partial = await partialUpload(a.baseUrl, supToken, org.csrA.username, {
    externalId: 'cut-short',
    totalBytes: 400_000,
    sendBytes: 100_000,
  });
  await new Promise((r) => setTimeout(r, 300));
  await a.kill9();
  partial.socket.destroy();
  const calls = () =>
    seed.db.selectFrom('calls').select(['id', 'recording_status']).where('external_id', '=', 'cut-short').execute();
  expect(await calls()).toEqual([]);
  const again = callForm(org.csrA.username, wavRecording(2, 400_000), 'cut-short');
  expect((await call(b.baseUrl, 'POST', '/api/v1/calls', { token: supToken, form: again.form })).status).toBe(201);
  expect((await calls()).map((c) => c.recording_status)).toEqual(['stored']);
  const other = callForm(org.csrA.username, wavRecording(3, 400_000), 'cut-short');
  expect((await call(b.baseUrl, 'POST', '/api/v1/calls', { token: supToken, form: other.form })).status).toBe(200);

  // Everything happened once: each release, the coaching task, each webhook delivery and what the receiver got.
  expect(await releases(overdue.body.id)).toBe(1);
  expect(await releases(evaluation.id)).toBe(1);
  expect(await coachingTasks(evaluation.id)).toBe(1);
  const deliveries = await seed.db
    .selectFrom('webhook_deliveries')
    .select(['event_type', 'status', 'attempts'])
    .execute();
  await waitFor(
    'every webhook delivered',
    async () =>
      (await seed.db.selectFrom('webhook_deliveries').select('id').where('status', '!=', 'delivered').execute())
        .length === 0,
  );
  const final = await seed.db.selectFrom('webhook_deliveries').select(['event_type', 'status', 'attempts']).execute();
  expect(final.length).toBe(deliveries.length);
  expect(final.every((d) => d.status === 'delivered' && d.attempts === 1)).toBe(true);
  const types = final.map((d) => d.event_type).sort();
  expect(types.filter((t) => t === 'evaluation.released')).toHaveLength(2);
  expect(types.filter((t) => t === 'evaluation.acknowledged')).toHaveLength(1);
  expect(received).toHaveLength(final.length);
  expect(new Set(received.map((r) => r.id)).size).toBe(received.length);
  await b.stop();
});
