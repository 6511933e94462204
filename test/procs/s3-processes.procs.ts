// Two app processes on one PostgreSQL database and one S3-compatible bucket (issue 17): real server processes
// started from source, each with its own local data folder (as on two machines) and RECORDINGS_URL=s3://… on one
// s3rver on loopback. An upload through one plays, whole and by Range, through the other; a process killed with
// SIGKILL mid-upload, and one killed after its staging object was written, leave nothing once the reconciler ran.
// Needs PG_TEST_URL; run with `npm run test:procs`.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config';
import { openPostgres, type PostgresHandle } from '../../src/db/database';
import { migrateToLatest } from '../../src/db/migrate';
import { S3RecordingStorage } from '../../src/recordings';
import { buildOrg, type Org } from '../helpers/builders';
import { withDatabase } from '../helpers/pg-leg';
import { startS3Server, type S3TestServer } from '../helpers/s3server';
import { call, callForm, killAllStarted, sha256, sleep, startServer, wavRecording } from '../faults/harness';
import { partialUpload } from '../faults/raw-upload';
import { tokenFor } from '../helpers/scoring';
import { seedDeps } from './seed';

const SERVER_URL = process.env.PG_TEST_URL;
if (!SERVER_URL) {
  throw new Error(
    'test/procs needs a PostgreSQL server: set PG_TEST_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres).',
  );
}
const dbName = `cs_s3procs_${crypto.randomBytes(5).toString('hex')}`;
const url = withDatabase(SERVER_URL, dbName);
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'callscore-s3procs-'));
const dirA = path.join(scratch, 'a');
const dirB = path.join(scratch, 'b');
const PREFIX = 'procs';

let s3: S3TestServer;
let seed: PostgresHandle;
let bucket: S3RecordingStorage;
let org: Org;
let token: string;

async function admin(statement: (db: PostgresHandle['db']) => Promise<unknown>): Promise<void> {
  const handle = openPostgres(withDatabase(SERVER_URL ?? '', 'postgres'), { max: 1 });
  try {
    await statement(handle.db);
  } finally {
    await handle.close();
  }
}

async function names(folder: 'staging' | 'recordings'): Promise<string[]> {
  const out: string[] = [];
  for await (const object of bucket.list(folder)) out.push(object.name);
  return out.sort();
}

/** Files in a process's local staging folders (uploads on their way in, or a crash's leftovers). */
function localStaged(dataDir: string): string[] {
  const root = path.join(dataDir, 'recordings', '.staging');
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { DATABASE_URL: url, ...s3.env(PREFIX, { S3_STAGING_MAX_AGE_MIN: '0', ...extra }) };
}

async function play(baseUrl: string, id: number, range?: string) {
  const res = await fetch(`${baseUrl}/api/v1/calls/${id}/recording`, {
    headers: { Authorization: `Bearer ${token}`, ...(range ? { Range: range } : {}) },
  });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

async function recordingRows(): Promise<Array<{ external_id: string; recording_file: string | null }>> {
  return seed.db.selectFrom('calls').select(['external_id', 'recording_file']).orderBy('id').execute();
}

beforeAll(async () => {
  s3 = await startS3Server();
  await admin((db) => sql`create database ${sql.id(dbName)}`.execute(db));
  seed = openPostgres(url, { max: 2 });
  await migrateToLatest(seed.db);
  const deps = seedDeps(seed.db, scratch, url);
  org = await buildOrg(deps);
  token = await tokenFor(deps, org.supervisorA);
  await deps.analysis.stop();
  const settings = loadConfig({ DATA_DIR: scratch, ...s3.env(PREFIX) }).objectStorage;
  if (!settings) throw new Error('RECORDINGS_URL did not select S3');
  bucket = new S3RecordingStorage(path.join(scratch, 'recordings'), settings);
  for (const dir of [dirA, dirB]) fs.mkdirSync(dir);
}, 120_000);

afterAll(async () => {
  await killAllStarted();
  await seed?.close();
  await admin((db) => sql`drop database if exists ${sql.id(dbName)} with (force)`.execute(db));
  await s3?.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

test('an upload through one process plays, whole and by range, through the other; crashes leave no orphan', async () => {
  const b = await startServer(dirB, env(), 150_000);
  let a = await startServer(dirA, env(), 150_000);
  for (const server of [a, b]) expect((await call(server.baseUrl, 'GET', '/readyz')).status).toBe(200);

  // Up through A, back through B.
  const recording = wavRecording(7, 64_000);
  const up = callForm(org.csrA.username, recording);
  const created = await call(a.baseUrl, 'POST', '/api/v1/calls', { token, form: up.form });
  expect(created.status).toBe(201);
  const id = (created.body as { id: number }).id;
  const whole = await play(b.baseUrl, id);
  expect(whole.status).toBe(200);
  expect(sha256(whole.body)).toBe(sha256(recording));
  const part = await play(b.baseUrl, id, 'bytes=44-1067');
  expect(part.status).toBe(206);
  expect(part.headers.get('content-range')).toBe(`bytes 44-1067/${recording.length}`);
  expect(part.body.equals(recording.subarray(44, 1068))).toBe(true);
  expect(await names('recordings')).toHaveLength(1);
  expect(fs.readdirSync(path.join(dirA, 'recordings')).filter((f) => f.endsWith('.wav'))).toEqual([]);

  // A dies with half a request body in its local staging folder: B serves on, and nothing reached the bucket.
  const partial = await partialUpload(a.baseUrl, token, org.csrA.username, {
    externalId: 'cut-short',
    totalBytes: 400_000,
    sendBytes: 150_000,
  });
  await until('the partial body to reach A', async () => localStaged(dirA).length > 0);
  await a.kill9();
  partial.socket.destroy();
  expect(localStaged(dirA)).toHaveLength(1);
  expect(await names('staging')).toEqual([]);

  // A process killed after its staging object was written and before its row: an object no row names.
  const doomed = await startServer(dirA, env({ CALLSCORE_FAULT_CRASH_AT: 'recording-staged' }), 150_000);
  const lost = callForm(org.csrA.username, wavRecording(8, 64_000));
  await expect(call(doomed.baseUrl, 'POST', '/api/v1/calls', { token, form: lost.form })).rejects.toThrow();
  await doomed.kill9();
  expect(await names('staging')).toHaveLength(1);

  // B took uploads meanwhile; the same external id as the cut-short one lands once.
  const again = callForm(org.csrA.username, wavRecording(9, 64_000), 'cut-short');
  expect((await call(b.baseUrl, 'POST', '/api/v1/calls', { token, form: again.form })).status).toBe(201);

  // A starts again: its reconciler clears its local staging folder and the bucket's staging object.
  a = await startServer(dirA, env(), 150_000);
  await until('the reconciler', async () => localStaged(dirA).length === 0 && (await names('staging')).length === 0);
  const rows = await recordingRows();
  expect(rows.map((r) => r.external_id)).toEqual([up.externalId, 'cut-short']);
  expect(await names('recordings')).toEqual(rows.map((r) => r.recording_file).sort());
  expect(localStaged(dirB)).toEqual([]);
  for (const server of [a, b]) expect((await play(server.baseUrl, id)).status).toBe(200);
  await Promise.all([a.stop(), b.stop()]);
});
