import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { ConfigError } from '../../src/config';
import { sweepInbox } from '../../src/inbox';
import { makeTestApp, testConfig, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { csrfFrom, signIn } from '../helpers/http';
import { tokenFor } from '../helpers/scoring';
import { wav } from '../calls/fixtures';
// CDR: one inbound call, a ring group leg to 1002 (no answer) and 1001 answering; NAME: the answered leg's recording.
import { asteriskFile } from '../pbx/cdr-fixtures';
import { ANSWERED_LEG, CALL_CDR as CDR, RECORDING_NAME as NAME, UNANSWERED_LEG } from './fixtures';

// The recordings inbox (issue 18): real files in a temporary folder, real WAV audio, the real CDR import.

let ctx: TestContext;
let org: Org;
let adminToken: string;
let inboxDir: string;

function startApp(extra: Record<string, string> = {}) {
  ctx = makeTestApp({
    RECORDINGS_INBOX: inboxDir,
    RECORDINGS_INBOX_STABLE_S: '0',
    RECORDINGS_INBOX_HOLD_H: '1',
    ...extra,
  });
}

beforeEach(async () => {
  inboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inbox-'));
  startApp();
  org = await buildOrg(ctx.deps);
  adminToken = await tokenFor(ctx.deps, org.admin);
  await request(ctx.app)
    .patch(`/api/v1/users/${org.csrA.id}`)
    .set('Authorization', `Bearer ${adminToken}`)
    .send({ extension: '1001' })
    .expect(200);
});
afterEach(async () => {
  await ctx.close();
  fs.rmSync(inboxDir, { recursive: true, force: true });
});

async function importCdr(cdr = CDR): Promise<void> {
  const res = await request(ctx.app)
    .post('/api/v1/calls/import?format=asterisk')
    .set('Authorization', `Bearer ${adminToken}`)
    .set('Content-Type', 'text/csv')
    .send(cdr);
  expect(res.status).toBe(200);
  expect(res.body.errors).toEqual([]);
}

const theCall = () =>
  ctx.deps.db
    .selectFrom('calls')
    .selectAll()
    .where('source', '=', 'asterisk')
    .where('external_id', '=', '1793000000.1')
    .executeTakeFirstOrThrow();
const rowOf = (name: string) =>
  ctx.deps.db.selectFrom('inbox_files').selectAll().where('name', '=', name).executeTakeFirst();
const inInbox = (name: string) => fs.existsSync(path.join(inboxDir, name));
const put = (name: string, bytes: Buffer) => fs.writeFileSync(path.join(inboxDir, name), bytes);

/** Two sweeps: the first sees a file, the second (its size and time unchanged) takes it. */
async function sweepTwice() {
  await sweepInbox(ctx.deps);
  return sweepInbox(ctx.deps);
}

async function expectStored(name: string) {
  const call = await theCall();
  expect(call.recording_status).toBe('stored');
  expect(call.recording_original_name).toBe(name);
  expect(call.recording_duration_s).toBeCloseTo(2, 1);
  expect(await ctx.deps.storage.exists(call.recording_file ?? '')).toBe(true);
  const job = await ctx.deps.db
    .selectFrom('call_analyses')
    .select('status')
    .where('call_id', '=', call.id)
    .executeTakeFirst();
  expect(job?.status).toBe('pending');
  expect(await rowOf(name)).toMatchObject({ status: 'matched', call_id: call.id });
  expect(inInbox(name)).toBe(false);
}

describe('recordings inbox: matching', () => {
  test('a file arriving after its record is taken by the answering leg uniqueid; re-import adds no legs', async () => {
    await importCdr();
    const legs = await ctx.deps.db.selectFrom('call_legs').selectAll().orderBy('uniqueid').execute();
    const { id } = await theCall();
    expect(legs).toEqual([
      { uniqueid: '1793000000.2', call_id: id },
      { uniqueid: '1793000000.3', call_id: id },
    ]);
    put(NAME, wav({ seconds: 2 }));
    const first = await sweepInbox(ctx.deps);
    expect(first.taken).toBe(0);
    expect((await theCall()).recording_file).toBeNull();
    expect((await sweepInbox(ctx.deps)).taken).toBe(1);
    await expectStored(NAME);
    await importCdr();
    expect(await ctx.deps.db.selectFrom('call_legs').selectAll().orderBy('uniqueid').execute()).toEqual(legs);
  });

  test("a file named by the call's linkedid is taken; a leg whose uniqueid is the linkedid is not kept twice", async () => {
    // The caller's own channel: Asterisk gives the first channel of a call the call's linkedid as its uniqueid.
    await importCdr(asteriskFile([{ ...UNANSWERED_LEG, uniqueid: '1793000000.1' }, ANSWERED_LEG], 21));
    const legs = await ctx.deps.db.selectFrom('call_legs').select('uniqueid').execute();
    expect(legs).toEqual([{ uniqueid: '1793000000.3' }]);
    const byLinkedid = 'in-600-5550001-20261102-090000-1793000000.1.wav';
    put(byLinkedid, wav({ seconds: 2 }));
    expect((await sweepTwice()).taken).toBe(1);
    await expectStored(byLinkedid);
  });

  test('a file arriving before its record is held, then taken after the CDR import', async () => {
    put(NAME, wav({ seconds: 2 }));
    await sweepTwice();
    expect(await rowOf(NAME)).toMatchObject({ status: 'pending' });
    expect(inInbox(NAME)).toBe(true);
    ctx.clock.advance(30 * 60_000);
    await sweepInbox(ctx.deps);
    expect(await rowOf(NAME)).toMatchObject({ status: 'pending' });
    await importCdr();
    expect((await sweepInbox(ctx.deps)).taken).toBe(1);
    await expectStored(NAME);
  });

  test('a file still being written is not taken until its size holds', async () => {
    await importCdr();
    const whole = wav({ seconds: 2 });
    // The header says 2 s; only part of the audio is there yet (taken now, it would be refused as cut short).
    put(NAME, whole.subarray(0, 8000));
    await sweepInbox(ctx.deps);
    fs.appendFileSync(path.join(inboxDir, NAME), whole.subarray(8000, 20000));
    expect((await sweepInbox(ctx.deps)).taken).toBe(0);
    fs.appendFileSync(path.join(inboxDir, NAME), whole.subarray(20000));
    expect((await sweepInbox(ctx.deps)).taken).toBe(0);
    expect(await rowOf(NAME)).toMatchObject({ status: 'pending', size: whole.length });
    expect((await sweepInbox(ctx.deps)).taken).toBe(1);
    await expectStored(NAME);
  });

  test('RECORDINGS_INBOX_STABLE_S: unchanged across two sweeps that far apart', async () => {
    await ctx.close();
    startApp({ RECORDINGS_INBOX_STABLE_S: '10' });
    org = await buildOrg(ctx.deps);
    adminToken = await tokenFor(ctx.deps, org.admin);
    await request(ctx.app)
      .patch(`/api/v1/users/${org.csrA.id}`)
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ extension: '1001' })
      .expect(200);
    await importCdr();
    put(NAME, wav({ seconds: 2 }));
    await sweepTwice();
    ctx.clock.advance(9000);
    expect((await sweepInbox(ctx.deps)).taken).toBe(0);
    ctx.clock.advance(1000);
    expect((await sweepInbox(ctx.deps)).taken).toBe(1);
    await expectStored(NAME);
  });
});

describe('recordings inbox: kept and reported', () => {
  test('a second file for a call with a recording is a duplicate, kept in the folder', async () => {
    await importCdr();
    put(NAME, wav({ seconds: 2 }));
    await sweepTwice();
    const other = 'in-600-5550001-20261102-090000-1793000000.2.wav';
    put(other, wav({ seconds: 3 }));
    await sweepTwice();
    const call = await theCall();
    expect(await rowOf(other)).toMatchObject({ status: 'duplicate', call_id: call.id });
    expect(inInbox(other)).toBe(true);
    expect(call.recording_original_name).toBe(NAME);
  });

  test('a file whose record never arrives is reported unmatched after the hold, never dropped', async () => {
    const name = 'in-600-5550001-20261102-090000-1799999999.9.wav';
    put(name, wav());
    await sweepTwice();
    ctx.clock.advance(59 * 60_000);
    await sweepInbox(ctx.deps);
    expect(await rowOf(name)).toMatchObject({ status: 'pending' });
    ctx.clock.advance(2 * 60_000);
    expect((await sweepInbox(ctx.deps)).reported).toBe(1);
    expect(await rowOf(name)).toMatchObject({
      status: 'unmatched',
      reason: expect.stringMatching(/No call record with uniqueid 1799999999\.9 arrived within 1 h/),
    });
    expect(inInbox(name)).toBe(true);
  });

  test('a name the pattern does not read is reported (not taken); hidden files are left alone', async () => {
    put('holiday-photo.wav', wav());
    put('.in-600-5550001-20261102-090000-1793000000.3.wav.part', wav());
    await importCdr();
    await sweepTwice();
    expect(await rowOf('holiday-photo.wav')).toMatchObject({
      status: 'rejected',
      reason: expect.stringMatching(/does not follow the inbox's pattern/),
    });
    expect(await rowOf('.in-600-5550001-20261102-090000-1793000000.3.wav.part')).toBeUndefined();
    expect(inInbox('holiday-photo.wav')).toBe(true);
    expect((await theCall()).recording_file).toBeNull();
    // Tried again (as "retry now" does), it is still not read: rejected again, never left waiting.
    await ctx.deps.db
      .updateTable('inbox_files')
      .set({ status: 'pending' })
      .where('name', '=', 'holiday-photo.wav')
      .execute();
    await sweepInbox(ctx.deps);
    expect(await rowOf('holiday-photo.wav')).toMatchObject({ status: 'rejected' });
    // Someone removes it from the folder: nothing is left to report.
    fs.rmSync(path.join(inboxDir, 'holiday-photo.wav'));
    await sweepInbox(ctx.deps);
    expect(await rowOf('holiday-photo.wav')).toBeUndefined();
  });

  test('a file that is not audio is rejected with the reason an upload would get, and kept', async () => {
    await importCdr();
    put(NAME, Buffer.from('this is not a recording at all, just text\n'.repeat(20)));
    await sweepTwice();
    expect(await rowOf(NAME)).toMatchObject({
      status: 'rejected',
      reason: expect.stringMatching(/not a supported audio file/),
    });
    expect(inInbox(NAME)).toBe(true);
    expect((await theCall()).recording_file).toBeNull();
    const staged = fs.readdirSync(ctx.deps.storage.stagingDir);
    expect(staged).toEqual([]);
  });

  test('a custom pattern names the uniqueid its own way', async () => {
    await ctx.close();
    startApp({ RECORDINGS_INBOX_PATTERN: '^rec_(?<uniqueid>[0-9.]+)\\.wav$' });
    org = await buildOrg(ctx.deps);
    adminToken = await tokenFor(ctx.deps, org.admin);
    await request(ctx.app)
      .patch(`/api/v1/users/${org.csrA.id}`)
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ extension: '1001' })
      .expect(200);
    await importCdr();
    put('rec_1793000000.1.wav', wav({ seconds: 2 }));
    await sweepTwice();
    await expectStored('rec_1793000000.1.wav');
  });
});

describe('recordings inbox: admin page', () => {
  test('lists kept files with reason and age; retry takes a late-matched file; dismiss; CSRF and admin only', async () => {
    // The recording arrives and its record does not, for longer than the hold: reported unmatched.
    put(NAME, wav({ seconds: 2 }));
    await sweepTwice();
    ctx.clock.advance(2 * 3_600_000);
    await sweepInbox(ctx.deps);
    const row = await rowOf(NAME);
    expect(row?.status).toBe('unmatched');
    const id = row?.id ?? 0;
    const admin = await signIn(ctx.app, org.admin.username);
    const page = await admin.get('/admin/recordings-inbox');
    expect(page.status).toBe(200);
    expect(page.text).toContain(NAME);
    expect(page.text).toContain('unmatched');
    expect(page.text).toContain('No call record with uniqueid 1793000000.3');
    expect(page.text).toContain('2 h');
    for (const username of [org.manager.username, org.supervisorA.username, org.csrA.username]) {
      const other = await signIn(ctx.app, username);
      expect((await other.get('/admin/recordings-inbox')).status).toBe(403);
    }
    // No CSRF token: refused, nothing changes.
    expect((await admin.post(`/admin/recordings-inbox/${id}/retry`).type('form').send({})).status).toBe(403);
    expect((await rowOf(NAME))?.status).toBe('unmatched');
    const csrf = await csrfFrom(admin, '/admin/recordings-inbox');
    const post = (path: string) => admin.post(path).type('form').send({ _csrf: csrf });
    expect((await post('/admin/recordings-inbox/abc/retry')).status).toBe(404);
    expect((await post('/admin/recordings-inbox/99999/dismiss')).status).toBe(404);

    // The record is imported late: "retry now" takes the file at once.
    await importCdr();
    expect((await post(`/admin/recordings-inbox/${id}/retry`)).status).toBe(303);
    await expectStored(NAME);
    expect((await admin.get('/admin/recordings-inbox')).text).not.toContain(NAME);

    // A duplicate: retried (still a duplicate), then dismissed (off the page, left in the folder).
    const dup = 'in-600-5550001-20261102-090000-1793000000.2.wav';
    put(dup, wav());
    await sweepTwice();
    const dupId = (await rowOf(dup))?.id ?? 0;
    expect((await rowOf(dup))?.status).toBe('duplicate');
    expect((await post(`/admin/recordings-inbox/${dupId}/retry`)).status).toBe(303);
    expect((await rowOf(dup))?.status).toBe('duplicate');
    expect((await post(`/admin/recordings-inbox/${dupId}/dismiss`)).status).toBe(303);
    expect((await rowOf(dup))?.status).toBe('dismissed');
    expect((await admin.get('/admin/recordings-inbox')).text).not.toContain(dup);
    expect(inInbox(dup)).toBe(true);
    await sweepTwice();
    expect((await rowOf(dup))?.status).toBe('dismissed');
  });
});

describe('recordings inbox: settings', () => {
  test('RECORDINGS_INBOX must be an existing folder; the pattern must compile and name uniqueid', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inbox-cfg-'));
    expect(() => testConfig(dataDir, { RECORDINGS_INBOX: path.join(dataDir, 'nope') })).toThrow(ConfigError);
    expect(() => testConfig(dataDir, { RECORDINGS_INBOX: dataDir, RECORDINGS_INBOX_PATTERN: '(' })).toThrow(
      /RECORDINGS_INBOX_PATTERN/,
    );
    expect(() => testConfig(dataDir, { RECORDINGS_INBOX: dataDir, RECORDINGS_INBOX_PATTERN: '^(?<id>.+)$' })).toThrow(
      /uniqueid/,
    );
    expect(() => testConfig(dataDir, { RECORDINGS_INBOX: dataDir, RECORDINGS_INBOX_HOLD_H: '-1' })).toThrow(
      /RECORDINGS_INBOX_HOLD_H/,
    );
    expect(testConfig(dataDir, {}).inbox).toBeNull();
    expect(testConfig(dataDir, { RECORDINGS_INBOX: dataDir }).inbox).toMatchObject({
      holdMs: 86_400_000,
      stableMs: 10_000,
    });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
