import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { ingestCall } from '../../src/calls/ingest.service';
import { applyRetention, reconcileStorage } from '../../src/calls/maintenance';
import { RecordingStorage } from '../../src/recordings/storage';
import type { Call } from '../../src/db/schema';
import { getSettings, saveSettings } from '../../src/settings/settings.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { csrfFrom, postForm, signIn, type Agent } from '../helpers/http';
import {
  auditActions,
  callFields,
  pushCall,
  recordingFile,
  sample,
  sha256,
  storageState,
  tokenFor,
  VTT,
  wav,
} from './fixtures';

let ctx: TestContext;
let org: Org;
let adminToken: string;

beforeEach(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  adminToken = await tokenFor(ctx.app, org.admin.username);
});
afterEach(async () => ctx.close());

const HOUR = 60 * 60_000;

async function storeCall(startedAt: string, audio: Buffer | null = wav(), withTranscript = false): Promise<Call> {
  const files = [];
  if (audio) files.push(recordingFile(audio));
  if (withTranscript)
    files.push({ field: 'transcript', bytes: Buffer.from(VTT), filename: 't.vtt', contentType: 'text/vtt' });
  const res = await pushCall(ctx.app, adminToken, callFields(org.csrA.username, { started_at: startedAt }), files);
  if (res.status !== 201) throw new Error(`seed call: ${res.status} ${res.text}`);
  return row(res.body.id);
}

async function row(id: number) {
  return ctx.deps.db.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

function recordingPath(call: Call): string {
  return ctx.deps.storage.recordingPath(call.recording_file!);
}

/** Posts the settings form as a browser would: every field as shown, with the ones given changed. */
async function postSettings(agent: Agent, changes: Record<string, string>) {
  const page = await agent.get('/admin/settings');
  const fields: Record<string, string> = {};
  for (const input of page.text.matchAll(/<input [^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1];
    if (name && name !== '_csrf' && value !== undefined) fields[name] = value;
  }
  return postForm(agent, '/admin/settings', { ...fields, ...changes }, '/admin/settings');
}

async function setRetention(days: number) {
  await saveSettings(
    ctx.deps,
    { id: org.admin.id, role: 'admin' },
    { ...(await getSettings(ctx.deps.db)), recording_retention_days: days },
  );
}

function setMtime(file: string, at: number) {
  fs.utimesSync(file, new Date(at), new Date(at));
}

describe('recording retention', () => {
  test('with the default setting (0) no recording is ever deleted', async () => {
    const old = await storeCall('2020-01-01T00:00:00Z');
    expect((await getSettings(ctx.deps.db)).recording_retention_days).toBe(0);
    expect(await applyRetention(ctx.deps)).toBe(0);
    expect((await row(old.id)).recording_status).toBe('stored');
    expect(fs.existsSync(recordingPath(old))).toBe(true);
  });

  test('an admin sets the retention on the settings page; older recordings lose their file, the calls stay', async () => {
    const old = await storeCall('2026-09-01T09:00:00Z', wav(), true);
    const recent = await storeCall('2026-11-20T09:00:00Z');
    const admin = await signIn(ctx.app, org.admin.username);
    const saved = await postSettings(admin, { recording_retention_days: '30' });
    expect(saved.status).toBe(303);
    expect((await getSettings(ctx.deps.db)).recording_retention_days).toBe(30);

    expect(await applyRetention(ctx.deps)).toBe(1);

    const after = await row(old.id);
    expect(after).toEqual({
      ...old,
      recording_status: 'deleted',
      recording_file: null,
      recording_deleted_at: ctx.clock.now().toISOString(),
    });
    expect(after.transcript).toContain('Thanks for calling');
    expect(fs.existsSync(recordingPath(old))).toBe(false);
    expect(await row(recent.id)).toEqual(recent);
    expect(fs.existsSync(recordingPath(recent))).toBe(true);
    expect((await storageState(ctx)).recordings).toEqual([recent.recording_file]);

    const audit = await auditActions(ctx, 'recording.retention_deleted');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entity_type: 'call', entity_id: old.id, actor_id: null });
    expect(JSON.parse(audit[0].details!)).toMatchObject({
      external_id: old.external_id,
      file: old.recording_file,
      retention_days: 30,
    });
  });

  test('a recording deleted by retention answers 404 and its call page says why', async () => {
    const old = await storeCall('2026-09-01T09:00:00Z');
    await setRetention(30);
    await applyRetention(ctx.deps);

    const api = await request(ctx.app)
      .get(`/api/v1/calls/${old.id}/recording`)
      .set('Authorization', `Bearer ${adminToken}`);
    expect(api.status).toBe(404);
    expect(api.body.error.message).toBe('This recording was deleted under the retention policy.');
    const call = await request(ctx.app).get(`/api/v1/calls/${old.id}`).set('Authorization', `Bearer ${adminToken}`);
    expect(call.body).toMatchObject({ recording_status: 'deleted', recording_url: null });

    const page = await (await signIn(ctx.app, org.supervisorA.username)).get(`/calls/${old.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('under the retention policy');
    expect(page.text).not.toContain('<audio');
  });

  test('the cut-off is exact: a call started exactly N days ago keeps its recording, one a second older does not', async () => {
    await setRetention(30);
    const cutoff = ctx.clock.now().getTime() - 30 * 86_400_000;
    const atCutoff = await storeCall(new Date(cutoff).toISOString());
    const justOlder = await storeCall(new Date(cutoff - 1000).toISOString());
    expect(await applyRetention(ctx.deps)).toBe(1);
    expect((await row(atCutoff.id)).recording_status).toBe('stored');
    expect((await row(justOlder.id)).recording_status).toBe('deleted');
  });

  test('running retention again deletes nothing more; time passing brings the next recording past the limit', async () => {
    await storeCall('2026-09-01T09:00:00Z');
    const recent = await storeCall('2026-11-20T09:00:00Z');
    await setRetention(30);
    expect(await applyRetention(ctx.deps)).toBe(1);
    expect(await applyRetention(ctx.deps)).toBe(0);
    expect(await auditActions(ctx, 'recording.retention_deleted')).toHaveLength(1);

    ctx.clock.advance(31 * 86_400_000);
    expect(await applyRetention(ctx.deps)).toBe(1);
    expect((await row(recent.id)).recording_status).toBe('deleted');
    expect(await storageState(ctx)).toEqual({ recordings: [], staged: [], calls: 2 });
  });

  test('calls without a recording are left alone', async () => {
    const bare = await storeCall('2026-01-01T09:00:00Z', null);
    await setRetention(1);
    expect(await applyRetention(ctx.deps)).toBe(0);
    expect(await row(bare.id)).toEqual(bare);
  });

  test('only an admin may change the retention, and a negative value is refused with 422', async () => {
    const manager = await signIn(ctx.app, org.manager.username);
    const csrf = await csrfFrom(manager, '/profile');
    const refused = await manager
      .post('/admin/settings')
      .type('form')
      .send({ _csrf: csrf, recording_retention_days: '1' });
    expect(refused.status).toBe(403);

    const admin = await signIn(ctx.app, org.admin.username);
    const invalid = await postSettings(admin, { recording_retention_days: '-5' });
    expect(invalid.status).toBe(422);
    expect(invalid.text).toContain('Retention cannot be negative');
    expect((await getSettings(ctx.deps.db)).recording_retention_days).toBe(0);
  });
});

describe('deleting a call', () => {
  test('an admin deletes a call: its row and its recording file go together, others stay', async () => {
    const doomed = await storeCall('2026-11-20T09:00:00Z');
    const kept = await storeCall('2026-11-21T09:00:00Z');
    const admin = await signIn(ctx.app, org.admin.username);
    const res = await postForm(admin, `/calls/${doomed.id}/delete`, {});
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/calls');

    expect(await ctx.deps.db.selectFrom('calls').select('id').where('id', '=', doomed.id).execute()).toEqual([]);
    expect(fs.existsSync(recordingPath(doomed))).toBe(false);
    expect(await storageState(ctx)).toEqual({ recordings: [kept.recording_file], staged: [], calls: 1 });
    const audit = await auditActions(ctx, 'call.deleted');
    expect(audit.map((a) => [a.entity_id, a.actor_id])).toEqual([[doomed.id, org.admin.id]]);
    expect((await admin.get(`/calls/${doomed.id}`)).status).toBe(404);
  });

  test('a call without a recording is deleted too', async () => {
    const bare = await storeCall('2026-11-20T09:00:00Z', null);
    const admin = await signIn(ctx.app, org.admin.username);
    expect((await postForm(admin, `/calls/${bare.id}/delete`, {})).status).toBe(303);
    expect((await storageState(ctx)).calls).toBe(0);
  });

  test.each([
    ['manager', () => org.manager.username],
    ['supervisor', () => org.supervisorA.username],
  ])('a %s cannot delete a call: 403, the row and the file stay', async (_role, who) => {
    const call = await storeCall('2026-11-20T09:00:00Z');
    const agent = await signIn(ctx.app, who());
    const res = await postForm(agent, `/calls/${call.id}/delete`, {});
    expect(res.status).toBe(403);
    expect(await row(call.id)).toEqual(call);
    expect(fs.existsSync(recordingPath(call))).toBe(true);
  });

  test('a delete without the CSRF token is refused and changes nothing', async () => {
    const call = await storeCall('2026-11-20T09:00:00Z');
    const admin = await signIn(ctx.app, org.admin.username);
    const res = await admin.post(`/calls/${call.id}/delete`).type('form').send({});
    expect(res.status).toBe(403);
    expect(await row(call.id)).toEqual(call);
    expect(fs.existsSync(recordingPath(call))).toBe(true);
  });

  test('deleting a call that does not exist is 404', async () => {
    const admin = await signIn(ctx.app, org.admin.username);
    expect((await postForm(admin, '/calls/999999/delete', {})).status).toBe(404);
  });
});

describe('start-up reconciler', () => {
  test('a clean store reconciles to nothing', async () => {
    await storeCall('2026-11-20T09:00:00Z');
    const before = await storageState(ctx);
    expect(await reconcileStorage(ctx.deps)).toEqual({
      stagingRemoved: 0,
      promoted: 0,
      flaggedMissing: 0,
      restored: 0,
      orphansRemoved: 0,
    });
    expect(await storageState(ctx)).toEqual(before);
  });

  test("this process's staging is emptied at start-up however new; another process's files only once an hour old", async () => {
    const now = ctx.clock.now().getTime();
    const ownFresh = RecordingStorage.newName();
    fs.writeFileSync(ctx.deps.storage.stagedPath(ownFresh), 'upload cut short by a crash a second ago');
    setMtime(ctx.deps.storage.stagedPath(ownFresh), now - 1000);
    const otherDir = path.join(ctx.deps.storage.stagingRoot, 'second-instance');
    fs.mkdirSync(otherDir, { recursive: true });
    const otherStale = RecordingStorage.newName();
    const otherFresh = RecordingStorage.newName();
    const legacy = RecordingStorage.newName();
    fs.writeFileSync(path.join(otherDir, otherStale), 'partial upload');
    fs.writeFileSync(path.join(otherDir, otherFresh), 'upload in progress in another process');
    fs.writeFileSync(path.join(ctx.deps.storage.stagingRoot, legacy), 'left by an older version');
    setMtime(path.join(otherDir, otherStale), now - HOUR - 60_000);
    setMtime(path.join(otherDir, otherFresh), now - 10 * 60_000);
    setMtime(path.join(ctx.deps.storage.stagingRoot, legacy), now - HOUR - 60_000);

    expect((await reconcileStorage(ctx.deps)).stagingRemoved).toBe(3);
    expect(fs.readdirSync(ctx.deps.storage.stagingDir)).toEqual([]);
    expect(fs.readdirSync(otherDir)).toEqual([otherFresh]);
    expect(fs.existsSync(path.join(ctx.deps.storage.stagingRoot, legacy))).toBe(false);

    ctx.clock.advance(HOUR);
    expect((await reconcileStorage(ctx.deps)).stagingRemoved).toBe(1);
    expect(fs.readdirSync(otherDir)).toEqual([]);
  });

  test('a row whose file is gone is flagged missing, shown so on its page, and restored when the file returns', async () => {
    const audio = sample('call-no-greeting.wav');
    const call = await storeCall('2026-11-20T09:00:00Z', audio);
    const kept = await storeCall('2026-11-21T09:00:00Z');
    const aside = path.join(ctx.dataDir, 'backup.wav');
    fs.renameSync(recordingPath(call), aside);

    expect(await reconcileStorage(ctx.deps)).toMatchObject({ flaggedMissing: 1, orphansRemoved: 0 });
    expect((await row(call.id)).recording_status).toBe('missing');
    expect((await row(kept.id)).recording_status).toBe('stored');

    const supervisor = await signIn(ctx.app, org.supervisorA.username);
    const page = await supervisor.get(`/calls/${call.id}`);
    expect(page.text).toContain('The recording file for this call is missing from storage.');
    expect(page.text).toContain(call.recording_file!);
    expect(page.text).not.toContain('<audio');
    expect((await supervisor.get(`/calls/${call.id}/recording`)).status).toBe(404);
    const list = await supervisor.get('/calls');
    expect(list.text).toContain('missing!');

    fs.renameSync(aside, recordingPath(call));
    expect(await reconcileStorage(ctx.deps)).toMatchObject({ restored: 1, flaggedMissing: 0 });
    expect((await row(call.id)).recording_status).toBe('stored');
    const audioRes = await supervisor.get(`/calls/${call.id}/recording`);
    expect(audioRes.status).toBe(200);
  });

  test('a recording file that no row names is removed; the files of rows stay', async () => {
    const call = await storeCall('2026-11-20T09:00:00Z');
    const orphan = `${RecordingStorage.newName()}.wav`;
    fs.writeFileSync(ctx.deps.storage.recordingPath(orphan), wav());

    expect(await reconcileStorage(ctx.deps)).toMatchObject({ orphansRemoved: 1, flaggedMissing: 0 });
    expect((await storageState(ctx)).recordings).toEqual([call.recording_file]);
  });

  test('after a crash between commit and move, the file still in staging is moved in at the next start', async () => {
    const audio = sample('call-skipped-verification.wav');
    // Stored through the service, so no request's after-response clean-up can race the simulated crash.
    const stored = RecordingStorage.newName();
    fs.writeFileSync(ctx.deps.storage.stagedPath(stored), audio);
    const { call } = await ingestCall(
      ctx.deps,
      { id: org.admin.id, role: 'admin' },
      callFields(org.csrA.username, { started_at: '2026-11-20T09:00:00Z' }),
      { recording: { stagedName: stored, originalName: 'call.wav', size: audio.length } },
    );
    const stagedName = call.recording_file!.split('.')[0];
    fs.renameSync(recordingPath(call), ctx.deps.storage.stagedPath(stagedName));
    // The crash was long ago: the staging file is well past the hour, and must be moved in, not thrown away.
    setMtime(ctx.deps.storage.stagedPath(stagedName), ctx.clock.now().getTime() - 5 * HOUR);

    const restarted = ctx.restart();
    try {
      expect(await reconcileStorage(restarted.deps)).toMatchObject({
        promoted: 1,
        stagingRemoved: 0,
        flaggedMissing: 0,
      });
      expect(await storageState(ctx)).toEqual({ recordings: [call.recording_file], staged: [], calls: 1 });
      expect((await row(call.id)).recording_status).toBe('stored');
      expect(sha256(fs.readFileSync(recordingPath(call)))).toBe(call.recording_sha256);
      const res = await request(restarted.app)
        .get(`/api/v1/calls/${call.id}/recording`)
        .set('Authorization', `Bearer ${adminToken}`);
      expect(res.status).toBe(200);
      expect(Number(res.headers['content-length'])).toBe(audio.length);
    } finally {
      await restarted.close();
    }
  });
});
