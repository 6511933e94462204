import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { FREESWITCH_PATTERN, MIXMONITOR_PATTERN, sweepInbox } from '../../src/inbox';
import { makeTestApp, testConfig, type TestContext } from '../helpers/app';
import { buildOrg } from '../helpers/builders';
import { tokenFor } from '../helpers/scoring';
import { wav } from '../calls/fixtures';
import { freeswitchFile, type FreeswitchLeg } from '../pbx/cdr-fixtures';

// RECORDINGS_INBOX_PATTERN's named presets (issue 18): `asterisk` (MixMonitor, the default) and `freeswitch`
// (record_session named by the channel's uuid), with FreeSWITCH's own CDR import and real WAV files.

const A1 = '0f8e4c2a-5b6d-4e7f-8a9b-0c1d2e3f4a51';
const B1 = '7d3c2b1a-9e8f-4a6b-8c5d-1e2f3a4b5c61';
const A2 = 'c4d5e6f7-0a1b-4c2d-9e3f-4a5b6c7d8e92';

/** Two answered calls, each an A leg (the caller) and the B leg to the agent's phone. */
const LEGS: FreeswitchLeg[] = [
  ['5550001', A1, B1, '09:00'],
  ['5550002', A2, 'e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f2', '09:10'],
].flatMap(([number = '', a = '', b = '', at = '']) => [
  {
    number,
    destination: '1001',
    context: 'default',
    start: `2026-11-02 ${at}:01`,
    answer: `2026-11-02 ${at}:08`,
    end: `2026-11-02 ${at}:58`,
    billsec: 50,
    cause: 'NORMAL_CLEARING',
    uuid: b,
  },
  {
    number,
    destination: '1001',
    context: 'public',
    start: `2026-11-02 ${at}:00`,
    answer: `2026-11-02 ${at}:08`,
    end: `2026-11-02 ${at}:58`,
    billsec: 50,
    cause: 'NORMAL_CLEARING',
    uuid: a,
    bleg: b,
  },
]);

let ctx: TestContext;
let inboxDir: string;

beforeEach(() => {
  inboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inbox-fs-'));
});
afterEach(async () => {
  await ctx?.close();
  fs.rmSync(inboxDir, { recursive: true, force: true });
});

test('the presets: asterisk is the default MixMonitor pattern; freeswitch reads the uuid; a regex stays a regex', () => {
  const config = (env: Record<string, string>) => testConfig(inboxDir, { RECORDINGS_INBOX: inboxDir, ...env }).inbox;
  expect(config({})?.pattern.source).toBe(new RegExp(MIXMONITOR_PATTERN).source);
  expect(config({ RECORDINGS_INBOX_PATTERN: 'asterisk' })?.pattern.source).toBe(new RegExp(MIXMONITOR_PATTERN).source);
  const freeswitch = config({ RECORDINGS_INBOX_PATTERN: 'freeswitch' })?.pattern ?? /$^/;
  expect(freeswitch.source).toBe(new RegExp(FREESWITCH_PATTERN).source);
  const uniqueid = (name: string) => freeswitch.exec(name)?.groups?.uniqueid;
  expect(uniqueid(`${A1}.wav`)).toBe(A1);
  expect(uniqueid(`2026-11-02-09-00-00_${A1}.wav`)).toBe(A1);
  expect(uniqueid(`5550001_${A1}.mp3`)).toBe(A1);
  expect(uniqueid(`5550001.2026-11-02-09-00-00.wav`)).toBeUndefined();
  expect(uniqueid(`${A1}x.wav`)).toBeUndefined();
  expect(uniqueid(`${A1}.wav.part`)).toBeUndefined();
  expect(config({ RECORDINGS_INBOX_PATTERN: '^rec_(?<uniqueid>.+)\\.wav$' })?.pattern.source).toBe(
    '^rec_(?<uniqueid>.+)\\.wav$',
  );
  // The sweep period: a minute by default, settable for tests and small sites, bounded.
  expect(config({})?.sweepMs).toBe(60_000);
  expect(config({ RECORDINGS_INBOX_SWEEP_S: '1' })?.sweepMs).toBe(1000);
  expect(() => config({ RECORDINGS_INBOX_SWEEP_S: '0' })).toThrow(/RECORDINGS_INBOX_SWEEP_S/);
  expect(() => config({ RECORDINGS_INBOX_SWEEP_S: 'often' })).toThrow(/RECORDINGS_INBOX_SWEEP_S/);
});

test('freeswitch: recordings named by either leg uuid are stored on their calls; a name without one is reported', async () => {
  ctx = makeTestApp({
    RECORDINGS_INBOX: inboxDir,
    RECORDINGS_INBOX_PATTERN: 'freeswitch',
    RECORDINGS_INBOX_STABLE_S: '0',
  });
  const org = await buildOrg(ctx.deps);
  const token = await tokenFor(ctx.deps, org.admin);
  const auth = { Authorization: `Bearer ${token}` };
  await request(ctx.app).patch(`/api/v1/users/${org.csrA.id}`).set(auth).send({ extension: '1001' }).expect(200);
  const res = await request(ctx.app)
    .post('/api/v1/calls/import?format=freeswitch')
    .set(auth)
    .set('Content-Type', 'text/csv')
    .send(freeswitchFile(LEGS));
  expect(res.status).toBe(200);
  expect(res.body.errors).toEqual([]);
  const byB = `2026-11-02-09-00-00_${B1}.wav`;
  const byA = `${A2}.wav`;
  const noUuid = '5550001.2026-11-02-09-00-00.wav';
  for (const name of [byB, byA, noUuid]) fs.writeFileSync(path.join(inboxDir, name), wav({ seconds: 2 }));
  await sweepInbox(ctx.deps);
  expect((await sweepInbox(ctx.deps)).taken).toBe(2);
  const calls = await ctx.deps.db
    .selectFrom('calls')
    .select(['external_id', 'recording_status', 'recording_original_name'])
    .where('source', '=', 'freeswitch')
    .orderBy('external_id')
    .execute();
  expect(calls).toEqual([
    { external_id: A1, recording_status: 'stored', recording_original_name: byB },
    { external_id: A2, recording_status: 'stored', recording_original_name: byA },
  ]);
  expect(fs.readdirSync(inboxDir)).toEqual([noUuid]);
  const reported = await ctx.deps.db
    .selectFrom('inbox_files')
    .select(['status', 'reason'])
    .where('name', '=', noUuid)
    .executeTakeFirst();
  expect(reported).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/pattern/) });
});
