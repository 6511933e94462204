// Issue 17: the object-storage reconciler checks the rows against the bucket's listing (ListObjectsV2 pages merged
// with the rows in file-name order) rather than a HEAD per row. Against a real S3-compatible server (s3rver), with
// pages of two keys and two rows so the merge crosses many page boundaries on both sides.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { reconcileObjectStorage } from '../../src/calls';
import { S3RecordingStorage } from '../../src/recordings';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { BUCKET } from '../helpers/s3server';
import { callFields, pushCall, recordingFile, tokenFor, wav } from '../calls/fixtures';

jest.setTimeout(60_000);

let s3: { child: ChildProcess; port: number; dir: string };
let ctx: TestContext;
let org: Org;
let token: string;
let storage: S3RecordingStorage;
const sent: Record<string, number> = {};

/**
 * s3rver in a child process of its own: a truncated listing carries a continuation token s3rver makes with DES,
 * which Node 20's OpenSSL 3 refuses unless started with --openssl-legacy-provider (so the in-process server of
 * test/helpers/s3server.ts answers any list longer than a page with a 500).
 */
async function startListingS3(): Promise<{ child: ChildProcess; port: number; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callscore-s3-list-'));
  const script = `const S3rver = require('s3rver');
    new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: ${JSON.stringify(dir)},
      configureBuckets: [{ name: ${JSON.stringify(BUCKET)}, configs: [] }] })
      .run().then(({ port }) => console.log('PORT ' + port));`;
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', script], {
    cwd: path.resolve(__dirname, '../..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const found = /PORT (\d+)/.exec(out);
      if (found) resolve(Number(found[1]));
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code})`)));
  });
  return { child, port, dir };
}

beforeAll(async () => {
  s3 = await startListingS3();
  ctx = makeTestApp({
    RECORDINGS_URL: `s3://${BUCKET}/center-list`,
    S3_ENDPOINT: `http://127.0.0.1:${s3.port}`,
    S3_REGION: 'us-east-1',
    S3_FORCE_PATH_STYLE: 'true',
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    S3_STAGING_MAX_AGE_MIN: '0',
  });
  if (!(ctx.deps.storage instanceof S3RecordingStorage)) throw new Error('RECORDINGS_URL did not select S3');
  storage = ctx.deps.storage;
  org = await buildOrg(ctx.deps);
  token = await tokenFor(ctx.app, org.supervisorA.username);
  // Counts the requests the app sends (a step added to the real client's middleware stack; nothing is faked).
  (await storage.client()).middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      sent[name] = (sent[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
});
afterAll(async () => {
  await ctx?.close();
  if (s3) {
    s3.child.kill('SIGKILL');
    fs.rmSync(s3.dir, { recursive: true, force: true });
  }
});

async function upload(): Promise<{ id: number; file: string }> {
  const res = await pushCall(ctx.app, token, callFields(org.csrA.username), [recordingFile(wav({ seconds: 1 }))]);
  if (res.status !== 201) throw new Error(`upload: ${res.status} ${res.text}`);
  const row = await ctx.deps.db
    .selectFrom('calls')
    .select(['id', 'recording_file'])
    .where('id', '=', res.body.id)
    .executeTakeFirstOrThrow();
  return { id: row.id, file: row.recording_file ?? '' };
}

const status = async (id: number) =>
  (await ctx.deps.db.selectFrom('calls').select('recording_status').where('id', '=', id).executeTakeFirstOrThrow())
    .recording_status;

test('rows and listing merged page by page: the lost object flagged, the returned one unflagged, no HEAD per row', async () => {
  const calls = [];
  for (let i = 0; i < 9; i += 1) calls.push(await upload());
  const sorted = [...calls].sort((x, y) => (x.file < y.file ? -1 : 1));
  // The object of one call (in the middle of the key order) goes away; another call was flagged missing earlier
  // and its object is there (restored from a bucket version, say); the first and last in key order stay stored.
  const lost = sorted[4];
  const back = sorted[6];
  await storage.deleteKey(storage.key('recordings', lost.file));
  await ctx.deps.db.updateTable('calls').set({ recording_status: 'missing' }).where('id', '=', back.id).execute();
  for (const key of Object.keys(sent)) delete sent[key];

  const report = await reconcileObjectStorage(ctx.deps, { listPageSize: 2, rowPageSize: 2 });
  expect(report).toMatchObject({ flaggedMissing: 1, restored: 1, promoted: 0, orphansRemoved: 0 });
  expect(report?.missingCallIds).toEqual([lost.id]);
  expect(await status(lost.id)).toBe('missing');
  expect(await status(back.id)).toBe('stored');
  for (const other of calls.filter((c) => c !== lost)) expect(await status(other.id)).toBe('stored');
  // 8 recordings at 2 keys a page: at least 4 list requests for the check (more for staging, peaks and orphans).
  expect(sent.ListObjectsV2Command).toBeGreaterThanOrEqual(4);
  // HEAD only for the row not in the listing (its recording, its staging key, its recording again): 3, not 9.
  expect(sent.HeadObjectCommand).toBe(3);

  // A second run finds nothing new to do; the missing call is still reported missing by its page.
  expect(await reconcileObjectStorage(ctx.deps, { listPageSize: 3, rowPageSize: 4 })).toMatchObject({
    flaggedMissing: 0,
    restored: 0,
  });
  const page = await request(ctx.app).get(`/api/v1/calls/${lost.id}/recording`).set('Authorization', `Bearer ${token}`);
  expect(page.status).toBe(404);
});
