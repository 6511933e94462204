// Recordings in object storage (issue 17, RECORDINGS_URL=s3://…) through the real app and a real S3-compatible
// server on loopback (s3rver, test/helpers/s3server.ts): upload, playback whole and by range, multipart above the
// part size, delete, retention, the background reconciler, and the storage going away and coming back.
import fs from 'node:fs';
import request from 'supertest';
import { deleteCall, reconcileObjectStorage } from '../../src/calls';
import { applyRetention } from '../../src/calls/maintenance';
import type { Call } from '../../src/db/schema';
import { S3RecordingStorage, storageReady } from '../../src/recordings';
import { getSettings, saveSettings } from '../../src/settings/settings.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { startS3Server, type S3TestServer } from '../helpers/s3server';
import { callFields, pushCall, recordingFile, sha256, tokenFor, wav } from '../calls/fixtures';

jest.setTimeout(60_000);

let s3: S3TestServer;
let ctx: TestContext;
let org: Org;
let token: string;
let storage: S3RecordingStorage;

beforeAll(async () => {
  s3 = await startS3Server();
  ctx = makeTestApp(s3.env('center-a', { S3_PART_SIZE_MB: '5', S3_STAGING_MAX_AGE_MIN: '0' }));
  if (!(ctx.deps.storage instanceof S3RecordingStorage)) throw new Error('RECORDINGS_URL did not select S3');
  storage = ctx.deps.storage;
  org = await buildOrg(ctx.deps);
  token = await tokenFor(ctx.app, org.supervisorA.username);
});
afterAll(async () => {
  await ctx?.close();
  await s3?.close();
});

function binary(res: request.Response, done: (err: Error | null, body: Buffer) => void) {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}

function play(id: number, range?: string) {
  let req = request(ctx.app)
    .get(`/api/v1/calls/${id}/recording`)
    .set('Authorization', `Bearer ${token}`)
    .buffer(true)
    .parse(binary);
  if (range) req = req.set('Range', range);
  return req;
}

async function upload(bytes: Buffer, overrides: Record<string, string> = {}): Promise<Call> {
  const res = await pushCall(ctx.app, token, callFields(org.csrA.username, overrides), [recordingFile(bytes)]);
  if (res.status !== 201) throw new Error(`upload: ${res.status} ${res.text}`);
  return ctx.deps.db.selectFrom('calls').selectAll().where('id', '=', res.body.id).executeTakeFirstOrThrow();
}

async function names(folder: 'staging' | 'recordings' | 'peaks'): Promise<string[]> {
  const out: string[] = [];
  for await (const object of storage.list(folder)) out.push(object.name);
  return out;
}

async function callCount(): Promise<number> {
  const row = await ctx.deps.db
    .selectFrom('calls')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

test('an upload lands under recordings/ with nothing left in staging, and plays whole and by range', async () => {
  const bytes = wav({ seconds: 3 });
  const call = await upload(bytes);
  const file = call.recording_file ?? '';
  expect(call.recording_status).toBe('stored');
  expect(await names('recordings')).toContain(file);
  expect(await names('staging')).toEqual([]);
  expect(fs.readdirSync(storage.stagingDir)).toEqual([]);
  expect(fs.existsSync(storage.recordingPath(file))).toBe(false);

  const whole = await play(call.id);
  expect(whole.status).toBe(200);
  expect(whole.headers['content-type']).toMatch(/^audio\/wav/);
  expect(whole.headers['accept-ranges']).toBe('bytes');
  expect(sha256(whole.body as Buffer)).toBe(sha256(bytes));

  const part = await play(call.id, 'bytes=44-143');
  expect(part.status).toBe(206);
  expect(part.headers['content-range']).toBe(`bytes 44-143/${bytes.length}`);
  expect((part.body as Buffer).equals(bytes.subarray(44, 144))).toBe(true);

  const tail = await play(call.id, 'bytes=-10');
  expect(tail.status).toBe(206);
  expect((tail.body as Buffer).equals(bytes.subarray(bytes.length - 10))).toBe(true);

  const past = await play(call.id, `bytes=${bytes.length}-`);
  expect(past.status).toBe(416);
  expect(past.headers['content-range']).toBe(`bytes */${bytes.length}`);
});

test('a recording above the part size goes up in parts and comes back byte for byte', async () => {
  const bytes = wav({ seconds: 400 }); // 6.4 MB, above the 5 MB part size
  expect(bytes.length).toBeGreaterThan(5 * 1024 * 1024);
  const call = await upload(bytes);
  const head = await storage.head(storage.key('recordings', call.recording_file ?? ''));
  expect(head?.size).toBe(bytes.length);
  const whole = await play(call.id);
  expect(whole.status).toBe(200);
  expect(sha256(whole.body as Buffer)).toBe(sha256(bytes));
  expect(call.recording_sha256).toBe(sha256(bytes));
});

test('deleting a call deletes its object; retention deletes old recordings and keeps the calls', async () => {
  const doomed = await upload(wav({ seconds: 1 }));
  await deleteCall(ctx.deps, { id: org.admin.id, role: 'admin' }, doomed);
  expect(await names('recordings')).not.toContain(doomed.recording_file);

  const old = await upload(wav({ seconds: 1 }), { started_at: '2026-01-05T10:00:00Z' });
  const recent = await upload(wav({ seconds: 1 }));
  const actor = { id: org.admin.id, role: 'admin' as const };
  await saveSettings(ctx.deps, actor, { ...(await getSettings(ctx.deps.db)), recording_retention_days: 90 });
  try {
    expect(await applyRetention(ctx.deps)).toBeGreaterThanOrEqual(1);
  } finally {
    await saveSettings(ctx.deps, actor, { ...(await getSettings(ctx.deps.db)), recording_retention_days: 0 });
  }
  const kept = await names('recordings');
  expect(kept).not.toContain(old.recording_file);
  expect(kept).toContain(recent.recording_file);
  const row = await ctx.deps.db.selectFrom('calls').selectAll().where('id', '=', old.id).executeTakeFirstOrThrow();
  expect(row.recording_status).toBe('deleted');
  expect((await play(old.id)).status).toBe(404);
});

test('the reconciler removes staging objects without a row, flags and reports missing objects, removes orphans', async () => {
  // A staging object no row names (a crash between staging and commit), and a recording no row names.
  const stray = `${S3RecordingStorage.newName()}.wav`;
  const orphan = `${S3RecordingStorage.newName()}.wav`;
  for (const name of [stray, orphan]) {
    const local = S3RecordingStorage.newName();
    fs.writeFileSync(storage.stagedPath(local), wav({ seconds: 1 }));
    await storage.stageRecording(local, name);
    fs.rmSync(storage.stagedPath(local));
  }
  await storage.promoteStaged(orphan);
  // A stored call whose object went away.
  const lost = await upload(wav({ seconds: 1 }));
  await storage.deleteKey(storage.key('recordings', lost.recording_file ?? ''));

  // A staging object younger than S3_STAGING_MAX_AGE_MIN (an upload under way) is left alone.
  const settings = { ...storage.settings, stagingMaxAgeMs: 3_600_000 };
  const patient = {
    ...ctx.deps,
    storage: new S3RecordingStorage(storage.recordingsDir, settings, 'main', await storage.client()),
  };
  const first = await reconcileObjectStorage(patient);
  expect(first).toMatchObject({ stagingRemoved: 0, orphansRemoved: 1, flaggedMissing: 1 });
  expect(first?.missingCallIds).toEqual([lost.id]);
  expect(await names('staging')).toEqual([stray]);
  expect(await names('recordings')).not.toContain(orphan);

  // Once older than S3_STAGING_MAX_AGE_MIN (0 here) it goes; the missing call stays flagged, not re-counted.
  const second = await reconcileObjectStorage(ctx.deps);
  expect(second).toMatchObject({ stagingRemoved: 1, orphansRemoved: 0, flaggedMissing: 0 });
  expect(await names('staging')).toEqual([]);
  const row = await ctx.deps.db.selectFrom('calls').selectAll().where('id', '=', lost.id).executeTakeFirstOrThrow();
  expect(row.recording_status).toBe('missing');
});

test('storage away: an upload is a 503 with Retry-After and leaves nothing; playback is a 503; both recover', async () => {
  const before = await upload(wav({ seconds: 1 }));
  const calls = await callCount();
  await s3.stop();
  try {
    expect(await storageReady(storage)).toEqual({ ok: false, reason: 'object storage unreachable' });
    const refused = await pushCall(ctx.app, token, callFields(org.csrA.username), [recordingFile(wav({ seconds: 2 }))]);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.body.error.code).toBe('storage_unavailable');
    expect(refused.text).not.toMatch(/S3RVER|ECONNREFUSED|at .*\.ts/);
    expect(await callCount()).toBe(calls);
    expect(fs.readdirSync(storage.stagingDir)).toEqual([]);
    const playback = await play(before.id);
    expect(playback.status).toBe(503);
    expect(playback.headers['retry-after']).toBe('30');
  } finally {
    await s3.start();
  }
  expect(await storageReady(storage)).toEqual({ ok: true });
  expect(await names('staging')).toEqual([]);
  const after = await upload(wav({ seconds: 1 }));
  expect((await play(after.id)).status).toBe(200);
  expect((await play(before.id)).status).toBe(200);
});
