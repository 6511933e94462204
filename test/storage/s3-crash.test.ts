// Crash-safe finalize in object storage (issue 17): the real server as a child process on a real S3-compatible
// server (s3rver on loopback), killed with SIGKILL at the fault points of docs/RELIABILITY.md:
// - after the upload's staging object is written and before its row commits: no call, and the next start's
//   background reconciler deletes the staging object (S3_STAGING_MAX_AGE_MIN=0 here);
// - after the row commits and before the object moves to its final key: the next start moves it in, and the
//   call plays back byte for byte and gets its waveform (analysed from the bucket, peaks stored in the bucket).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { loadConfig } from '../../src/config';
import { S3RecordingStorage } from '../../src/recordings';
import {
  call,
  callForm,
  killAllStarted,
  prepareDataDir,
  sha256,
  sleep,
  startServer,
  wavRecording,
  type Fixture,
} from '../faults/harness';
import { startS3Server, type S3TestServer } from '../helpers/s3server';

jest.setTimeout(180_000);

let s3: S3TestServer;
let fixture: Fixture;
let bucket: S3RecordingStorage;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'callscore-s3-crash-'));

beforeAll(async () => {
  s3 = await startS3Server();
  fixture = await prepareDataDir();
  const settings = loadConfig({ DATA_DIR: scratch, ...s3.env('crash') }).objectStorage;
  if (!settings) throw new Error('RECORDINGS_URL did not select S3');
  bucket = new S3RecordingStorage(path.join(scratch, 'recordings'), settings);
});
afterAll(async () => {
  await killAllStarted();
  if (fixture) fs.rmSync(fixture.dataDir, { recursive: true, force: true });
  fs.rmSync(scratch, { recursive: true, force: true });
  await s3?.close();
});

async function names(folder: 'staging' | 'recordings' | 'peaks'): Promise<string[]> {
  const out: string[] = [];
  for await (const object of bucket.list(folder)) out.push(object.name);
  return out;
}

function callRow(externalId: string): { id: number; recording_file: string; recording_status: string } | undefined {
  const db = new SQLite(path.join(fixture.dataDir, 'callscore.db'), { readonly: true });
  try {
    return db
      .prepare('select id, recording_file, recording_status from calls where external_id = ?')
      .get(externalId) as { id: number; recording_file: string; recording_status: string } | undefined;
  } finally {
    db.close();
  }
}

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Uploads one call to a server that dies at `point`; the request must fail with it. */
async function uploadAndCrash(point: string, recording: Buffer): Promise<string> {
  const server = await startServer(fixture.dataDir, { ...s3.env('crash'), CALLSCORE_FAULT_CRASH_AT: point });
  const { form, externalId } = callForm(fixture.agent, recording);
  await expect(
    call(server.baseUrl, 'POST', '/api/v1/calls', { token: fixture.supervisorToken, form }),
  ).rejects.toThrow();
  await server.kill9();
  return externalId;
}

test('killed between the staging object and the row: no call, and the next start deletes the staging object', async () => {
  const externalId = await uploadAndCrash('recording-staged', wavRecording(1));
  expect(callRow(externalId)).toBeUndefined();
  expect(await names('staging')).toHaveLength(1);

  const server = await startServer(fixture.dataDir, { ...s3.env('crash'), S3_STAGING_MAX_AGE_MIN: '0' });
  await until('the staging object to go', async () => ((await names('staging')).length === 0 ? true : null));
  expect(await names('recordings')).toEqual([]);
  await server.stop();
});

test('killed between the row and the move: the next start moves the object in; it plays and gets its waveform', async () => {
  const recording = wavRecording(2, 64_000);
  const externalId = await uploadAndCrash('recording-committed', recording);
  const row = callRow(externalId);
  expect(row?.recording_status).toBe('stored');
  expect(await names('staging')).toEqual([row?.recording_file]);
  expect(await names('recordings')).toEqual([]);

  const server = await startServer(fixture.dataDir, s3.env('crash'));
  const token = fixture.supervisorToken;
  // The move is a copy, then the staging object's delete: wait for both.
  await until('the recording to be moved in', async () =>
    (await names('recordings')).length === 1 && (await names('staging')).length === 0 ? true : null,
  );
  expect(await names('staging')).toEqual([]);
  const played = await fetch(`${server.baseUrl}/api/v1/calls/${row?.id}/recording`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(played.status).toBe(200);
  expect(sha256(Buffer.from(await played.arrayBuffer()))).toBe(sha256(recording));

  const waveform = await until('the waveform', async () => {
    const res = await fetch(`${server.baseUrl}/api/v1/calls/${row?.id}/waveform`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    return res.status === 200 ? Buffer.from(await res.arrayBuffer()) : null;
  });
  expect(waveform.subarray(0, 4).toString('latin1')).toBe('CSPK');
  expect(await names('peaks')).toEqual([`${row?.recording_file.split('.')[0]}.peaks`]);
  expect(fs.readdirSync(path.join(fixture.dataDir, 'recordings', 'peaks'))).toEqual([]);
  await server.stop();
});
