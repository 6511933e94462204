// The analysis queue: a job with every call stored with a recording, worked to done by the real analyser on
// real WAV files; failures, retries with back-off, crashed runs (lease expiry), backfill and re-runs.
import fs from 'node:fs';
import request from 'supertest';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { csrfFrom, signIn } from '../helpers/http';
import { callFields, pushCall, recordingFile } from '../calls/fixtures';
import { analysisRow, callWav, pushRecordedCall, STANDARD_CALL, tokenFor } from './jobs-fixtures';

jest.setTimeout(60_000);

let ctx: TestContext;
let org: Org;
let token: string;

beforeEach(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  token = await tokenFor(ctx.app, org.supervisorA.username);
});
afterEach(async () => ctx.close());

async function recordingFileOf(callId: number): Promise<string> {
  const row = await ctx.deps.db
    .selectFrom('calls')
    .select('recording_file')
    .where('id', '=', callId)
    .executeTakeFirst();
  if (!row?.recording_file) throw new Error(`call ${callId} has no recording`);
  return row.recording_file;
}

describe('a job with every call stored with a recording', () => {
  test('a pushed call with a recording is queued as pending; one without a recording is not queued', async () => {
    const withRecording = await pushRecordedCall(ctx.app, token, org.csrA.username, callWav(STANDARD_CALL));
    const res = await pushCall(ctx.app, token, callFields(org.csrA.username));
    expect(res.status).toBe(201);
    expect(await analysisRow(ctx, withRecording)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await analysisRow(ctx, (res.body as { id: number }).id)).toBeUndefined();
  });

  test('the same external id pushed again adds no second job', async () => {
    const fields = callFields(org.csrA.username);
    const audio = recordingFile(callWav(STANDARD_CALL));
    expect((await pushCall(ctx.app, token, fields, [audio])).status).toBe(201);
    expect((await pushCall(ctx.app, token, fields, [audio])).status).toBe(200);
    const jobs = await ctx.deps.db.selectFrom('call_analyses').selectAll().execute();
    expect(jobs).toHaveLength(1);
    expect(await ctx.deps.analysis.drain(ctx.deps)).toBe(1);
    expect(await ctx.deps.analysis.drain(ctx.deps)).toBe(0);
  });

  test('a call uploaded on the page is queued too', async () => {
    const page = await signIn(ctx.app, org.supervisorA.username);
    const csrf = await csrfFrom(page, '/calls/new');
    let req = page.post('/calls').field('_csrf', csrf);
    for (const [name, value] of Object.entries(callFields(org.csrA.username))) req = req.field(name, value);
    const res = await req.attach('recording', callWav(STANDARD_CALL), { filename: 'a.wav', contentType: 'audio/wav' });
    expect(res.status).toBe(303);
    const jobs = await ctx.deps.db.selectFrom('call_analyses').select(['status']).execute();
    expect(jobs).toEqual([{ status: 'pending' }]);
  });
});

describe('the worker', () => {
  test('analyses a queued call to done: figures stored, peaks file beside the recording', async () => {
    const id = await pushRecordedCall(ctx.app, token, org.csrA.username, callWav(STANDARD_CALL));
    expect(await ctx.deps.analysis.drain(ctx.deps)).toBe(1);
    const row = await analysisRow(ctx, id);
    expect(row).toMatchObject({ status: 'done', attempts: 1, channels: 2, sample_rate: 8000, last_error: null });
    expect(row?.duration_s).toBeCloseTo(12, 1);
    expect(row?.agent_speech_s).toBeCloseTo(7, 0);
    expect(row?.customer_speech_s).toBeCloseTo(2.5, 0);
    expect(row?.overtalk_total_s).toBeCloseTo(0.5, 0);
    expect(row?.dead_air_longest_s).toBeCloseTo(2, 0);
    expect(JSON.parse(row?.settings_used ?? '{}')).toEqual({ agent_channel: 'left', dead_air_min_s: 2 });
    const peaks = fs.readFileSync(ctx.deps.storage.peaksPath(await recordingFileOf(id)));
    expect(peaks.subarray(0, 4).toString('latin1')).toBe('CSPK');
    // Nothing half-written is left beside it.
    expect(fs.readdirSync(ctx.deps.storage.peaksDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('a corrupt recording fails with a message, and the queue keeps going', async () => {
    const broken = await pushRecordedCall(ctx.app, token, org.csrA.username, callWav(STANDARD_CALL));
    const good = await pushRecordedCall(ctx.app, token, org.csrA.username, callWav(STANDARD_CALL));
    // The disk corrupts the first file after it was accepted: its header and body become noise.
    fs.writeFileSync(ctx.deps.storage.recordingPath(await recordingFileOf(broken)), Buffer.alloc(5000, 0x5a));
    expect(await ctx.deps.analysis.drain(ctx.deps)).toBe(2);
    const failed = await analysisRow(ctx, broken);
    expect(failed?.status).toBe('failed');
    expect(failed?.last_error).toMatch(/\w/);
    expect(failed?.last_error).not.toMatch(/\bat .+\.(ts|js):\d+/);
    expect((await analysisRow(ctx, good))?.status).toBe('done');
    expect(fs.existsSync(ctx.deps.storage.peaksPath(await recordingFileOf(broken)))).toBe(false);
  });

  test('a run that throws is retried with growing pauses, then failed after the last attempt', async () => {
    const id = await pushRecordedCall(ctx.app, token, org.csrA.username, callWav(STANDARD_CALL));
    fs.rmSync(ctx.deps.storage.recordingPath(await recordingFileOf(id)));
    expect(await ctx.deps.analysis.drain(ctx.deps)).toBe(1);
    const first = await analysisRow(ctx, id);
    expect(first).toMatchObject({ status: 'pending', attempts: 1 });
    expect(first?.last_error).toMatch(/not in storage/);
    expect(Date.parse(first?.run_after ?? '') - ctx.clock.now().getTime()).toBe(30_000);
    // Not due yet: nothing runs.
    expect(await ctx.deps.analysis.drain(ctx.deps)).toBe(0);
    ctx.clock.advance(30_000);
    expect(await ctx.deps.analysis.drain(ctx.deps)).toBe(1);
    const second = await analysisRow(ctx, id);
    expect(second).toMatchObject({ status: 'pending', attempts: 2 });
    expect(Date.parse(second?.run_after ?? '') - ctx.clock.now().getTime()).toBe(120_000);
    ctx.clock.advance(120_000);
    expect(await ctx.deps.analysis.drain(ctx.deps)).toBe(1);
    expect(await analysisRow(ctx, id)).toMatchObject({ status: 'failed', attempts: 3 });
  });

  test('a run that crashed (lease ran out) is claimed again; after the last attempt it is failed', async () => {
    const id = await pushRecordedCall(ctx.app, token, org.csrA.username, callWav(STANDARD_CALL));
    const leaseMs = ctx.deps.analysis.policy.leaseMs;
    // As a process killed mid-run leaves it: running, leased, one attempt used.
    const crashed = (attempts: number) =>
      ctx.deps.db
        .updateTable('call_analyses')
        .set({
          status: 'running',
          attempts,
          started_at: ctx.clock.now().toISOString(),
          lease_until: new Date(ctx.clock.now().getTime() + leaseMs).toISOString(),
        })
        .where('call_id', '=', id)
        .execute();
    await crashed(1);
    expect(await ctx.deps.analysis.drain(ctx.deps)).toBe(0);
    ctx.clock.advance(leaseMs + 1);
    expect(await ctx.deps.analysis.drain(ctx.deps)).toBe(1);
    expect(await analysisRow(ctx, id)).toMatchObject({ status: 'done', attempts: 2 });

    await crashed(3);
    ctx.clock.advance(leaseMs + 1);
    expect(await ctx.deps.analysis.drain(ctx.deps)).toBe(1);
    const row = await analysisRow(ctx, id);
    expect(row).toMatchObject({ status: 'failed', attempts: 3 });
    expect(row?.last_error).toMatch(/stopped without finishing 3 times/);
  });

  test('started by the server, it wakes for a new call and analyses it in the background', async () => {
    ctx.deps.analysis.start(ctx.deps);
    const id = await pushRecordedCall(ctx.app, token, org.csrA.username, callWav(STANDARD_CALL));
    const deadline = Date.now() + 20_000;
    while ((await analysisRow(ctx, id))?.status !== 'done' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await analysisRow(ctx, id))?.status).toBe('done');
    await ctx.deps.analysis.stop();
  });
});

describe('backfill and re-runs', () => {
  test('the admin queues every call without analysis and watches the progress', async () => {
    const ids = [];
    for (let i = 0; i < 3; i += 1) {
      ids.push(await pushRecordedCall(ctx.app, token, org.csrA.username, callWav(STANDARD_CALL)));
    }
    // Calls stored before analysis existed have no job.
    await ctx.deps.db.deleteFrom('call_analyses').execute();
    const admin = await signIn(ctx.app, org.admin.username);
    const before = await admin.get('/admin/analysis');
    expect(before.status).toBe(200);
    expect(before.text).toMatch(/data-count="unqueued">3</);
    expect(before.text).toMatch(/0\.0% of the calls/);
    const csrf = await csrfFrom(admin, '/admin/analysis');
    const res = await admin.post('/admin/analysis/backfill').type('form').send({ _csrf: csrf });
    expect(res.status).toBe(303);
    expect((await admin.get('/admin/analysis')).text).toMatch(/data-count="pending">3</);
    expect(await ctx.deps.analysis.drain(ctx.deps, 1)).toBe(1);
    const during = (await admin.get('/admin/analysis')).text;
    expect(during).toMatch(/33\.3% of the calls/);
    await ctx.deps.analysis.drain(ctx.deps);
    const after = (await admin.get('/admin/analysis')).text;
    expect(after).toMatch(/data-count="done">3</);
    expect(after).toMatch(/100\.0% of the calls/);
  });

  test('only an admin has the backfill', async () => {
    const supervisor = await signIn(ctx.app, org.supervisorA.username);
    expect((await supervisor.get('/admin/analysis')).status).toBe(403);
    expect((await request(ctx.app).get('/admin/analysis')).status).toBe(401);
  });

  test('failed analyses are queued again by "re-run failed"; a call is re-run from its page', async () => {
    const id = await pushRecordedCall(ctx.app, token, org.csrA.username, callWav(STANDARD_CALL));
    const file = ctx.deps.storage.recordingPath(await recordingFileOf(id));
    const good = fs.readFileSync(file);
    fs.writeFileSync(file, Buffer.alloc(5000, 0x5a));
    await ctx.deps.analysis.drain(ctx.deps);
    expect((await analysisRow(ctx, id))?.status).toBe('failed');
    fs.writeFileSync(file, good);
    const admin = await signIn(ctx.app, org.admin.username);
    const csrf = await csrfFrom(admin, '/admin/analysis');
    expect((await admin.post('/admin/analysis/retry-failed').type('form').send({ _csrf: csrf })).status).toBe(303);
    expect(await analysisRow(ctx, id)).toMatchObject({ status: 'pending', attempts: 0 });
    await ctx.deps.analysis.drain(ctx.deps);
    expect((await analysisRow(ctx, id))?.status).toBe('done');

    const supervisor = await signIn(ctx.app, org.supervisorA.username);
    const token2 = await csrfFrom(supervisor, `/calls/${id}`);
    const rerun = await supervisor.post(`/calls/${id}/analysis`).type('form').send({ _csrf: token2 });
    expect(rerun.status).toBe(303);
    expect((await analysisRow(ctx, id))?.status).toBe('pending');
    const outsider = await signIn(ctx.app, org.otherSupervisor.username);
    const token3 = await csrfFrom(outsider, '/calls');
    expect((await outsider.post(`/calls/${id}/analysis`).type('form').send({ _csrf: token3 })).status).toBe(404);
  });
});
