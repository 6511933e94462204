// The recordings inbox with recordings in object storage (issue 18 with issue 17's RECORDINGS_URL=s3://…): a real
// S3-compatible server on loopback (s3rver), a real inbox folder, the real Asterisk CDR import. A file in the
// inbox ends up as its call's recording object, byte for byte, with nothing left in staging (bucket or disk).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { sweepInbox } from '../../src/inbox';
import { S3RecordingStorage } from '../../src/recordings';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg } from '../helpers/builders';
import { startS3Server, type S3TestServer } from '../helpers/s3server';
import { tokenFor } from '../helpers/scoring';
import { wav } from '../calls/fixtures';
import { ANSWERED_CDR as CDR, RECORDING_NAME as NAME } from './fixtures';

jest.setTimeout(60_000);

let s3: S3TestServer;
let ctx: TestContext;
let inboxDir: string;

beforeAll(async () => {
  s3 = await startS3Server();
  inboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inbox-s3-'));
  ctx = makeTestApp(
    s3.env('center-inbox', { RECORDINGS_INBOX: inboxDir, RECORDINGS_INBOX_STABLE_S: '0', S3_STAGING_MAX_AGE_MIN: '0' }),
  );
});
afterAll(async () => {
  await ctx?.close();
  await s3?.close();
  fs.rmSync(inboxDir, { recursive: true, force: true });
});

async function names(storage: S3RecordingStorage, folder: 'staging' | 'recordings'): Promise<string[]> {
  const out: string[] = [];
  for await (const object of storage.list(folder)) out.push(object.name);
  return out;
}

test('a file in the inbox becomes its call recording object; nothing is left in staging or in the folder', async () => {
  const storage = ctx.deps.storage;
  if (!(storage instanceof S3RecordingStorage)) throw new Error('RECORDINGS_URL did not select S3');
  const org = await buildOrg(ctx.deps);
  const auth = { Authorization: `Bearer ${await tokenFor(ctx.deps, org.admin)}` };
  await request(ctx.app).patch(`/api/v1/users/${org.csrA.id}`).set(auth).send({ extension: '1001' }).expect(200);
  const imported = await request(ctx.app)
    .post('/api/v1/calls/import?format=asterisk')
    .set(auth)
    .set('Content-Type', 'text/csv')
    .send(CDR);
  expect(imported.body.errors).toEqual([]);
  const bytes = wav({ seconds: 2 });
  fs.writeFileSync(path.join(inboxDir, NAME), bytes);
  await sweepInbox(ctx.deps);
  expect((await sweepInbox(ctx.deps)).taken).toBe(1);

  const call = await ctx.deps.db
    .selectFrom('calls')
    .selectAll()
    .where('external_id', '=', '1793000000.1')
    .executeTakeFirstOrThrow();
  expect(call.recording_status).toBe('stored');
  expect(call.recording_original_name).toBe(NAME);
  const file = call.recording_file ?? '';
  expect(await names(storage, 'recordings')).toEqual([file]);
  expect(await names(storage, 'staging')).toEqual([]);
  expect(fs.readdirSync(storage.stagingDir)).toEqual([]);
  expect(fs.readdirSync(inboxDir)).toEqual([]);
  expect(await ctx.deps.db.selectFrom('inbox_files').select(['name', 'status']).execute()).toEqual([
    { name: NAME, status: 'matched' },
  ]);
  // The object in the bucket is the file, byte for byte (played through the API).
  const played = await request(ctx.app)
    .get(`/api/v1/calls/${call.id}/recording`)
    .set(auth)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
  expect(played.status).toBe(200);
  expect(Buffer.compare(played.body as Buffer, bytes)).toBe(0);
});
