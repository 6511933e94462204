// GET /api/v1/calls/:id/analysis exactly as API.md (wave 2), its waveform, who may see them (staff in scope; a
// CSR never learns that calls are analysed), the two analysis settings, and peaks going with the recording.
import fs from 'node:fs';
import { applyRetention } from '../../src/calls';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { csrfFrom, signIn } from '../helpers/http';
import { api, itemsOf, publishedRubric, workedExampleRubric } from '../helpers/scoring';
import { callFields, pushCall } from '../calls/fixtures';
import { analysisRow, callWav, pushRecordedCall, STANDARD_CALL, tokenFor } from './jobs-fixtures';

jest.setTimeout(60_000);

let ctx: TestContext;
let org: Org;
let supervisor: ReturnType<typeof api>;
let token: string;

beforeEach(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  token = await tokenFor(ctx.app, org.supervisorA.username);
  supervisor = api(ctx.app, token);
});
afterEach(async () => ctx.close());

async function analysedCall(audio = callWav(STANDARD_CALL)): Promise<number> {
  const id = await pushRecordedCall(ctx.app, token, org.csrA.username, audio);
  await ctx.deps.analysis.drain(ctx.deps);
  return id;
}

describe('GET /api/v1/calls/:id/analysis', () => {
  test('a stereo call: speech per side, talk ratio, overtalk, dead air with segments, waveform url', async () => {
    const id = await analysedCall();
    const res = await supervisor.get(`/api/v1/calls/${id}/analysis`);
    expect(res.status).toBe(200);
    const body = res.body as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      ['channels', 'dead_air', 'duration_s', 'error', 'overtalk', 'speech', 'status', 'waveform_url'].sort(),
    );
    expect(body).toMatchObject({
      status: 'done',
      error: null,
      channels: 2,
      waveform_url: `/api/v1/calls/${id}/waveform`,
    });
    const speech = body.speech as { agent_s: number; customer_s: number; talk_ratio: number };
    expect(speech.agent_s).toBeCloseTo(7, 0);
    expect(speech.customer_s).toBeCloseTo(2.5, 0);
    expect(speech.talk_ratio).toBeCloseTo(7 / 9.5, 1);
    expect((body.overtalk as { count: number }).count).toBe(1);
    const deadAir = body.dead_air as { total_s: number; longest_s: number; segments: unknown[] };
    expect(deadAir.segments).toHaveLength(1);
    expect(deadAir.longest_s).toBeCloseTo(2, 0);

    const waveform = await supervisor.get(`/api/v1/calls/${id}/waveform`).buffer(true);
    expect(waveform.status).toBe(200);
    expect(waveform.headers['content-type']).toMatch(/application\/octet-stream/);
    expect((waveform.body as Buffer).subarray(0, 4).toString('latin1')).toBe('CSPK');
    expect((waveform.body as Buffer)[5]).toBe(2);
  });

  test('a mono call has no talk ratio and no overtalk: null, never 0', async () => {
    const id = await analysedCall(callWav({ ...STANDARD_CALL, channels: 1 }));
    const body = (await supervisor.get(`/api/v1/calls/${id}/analysis`)).body as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'done', channels: 1, speech: null, overtalk: null });
    expect((body.dead_air as { longest_s: number }).longest_s).toBeCloseTo(3, 0);
  });

  test('pending before the worker ran, no_recording without a recording, failed with its message', async () => {
    const id = await pushRecordedCall(ctx.app, token, org.csrA.username, callWav(STANDARD_CALL));
    const pending = (await supervisor.get(`/api/v1/calls/${id}/analysis`)).body as Record<string, unknown>;
    expect(pending).toMatchObject({ status: 'pending', speech: null, dead_air: null, waveform_url: null });
    expect((await supervisor.get(`/api/v1/calls/${id}/waveform`)).status).toBe(404);

    const bare = await pushCall(ctx.app, token, callFields(org.csrA.username));
    const none = await supervisor.get(`/api/v1/calls/${(bare.body as { id: number }).id}/analysis`);
    expect(none.body).toMatchObject({ status: 'no_recording', error: null });

    const row = await ctx.deps.db.selectFrom('calls').select('recording_file').where('id', '=', id).executeTakeFirst();
    fs.writeFileSync(ctx.deps.storage.recordingPath(row?.recording_file ?? ''), Buffer.alloc(3000, 1));
    await ctx.deps.analysis.drain(ctx.deps);
    const failed = (await supervisor.get(`/api/v1/calls/${id}/analysis`)).body as { status: string; error: string };
    expect(failed.status).toBe('failed');
    expect(failed.error.length).toBeGreaterThan(0);
  });

  test('scope: a supervisor of another team and a CSR get 404; the CSR keeps the waveform of a released scorecard', async () => {
    const id = await analysedCall();
    const outsider = api(ctx.app, await tokenFor(ctx.app, org.otherSupervisor.username));
    expect((await outsider.get(`/api/v1/calls/${id}/analysis`)).status).toBe(404);
    expect((await outsider.get(`/api/v1/calls/${id}/waveform`)).status).toBe(404);
    const manager = api(ctx.app, await tokenFor(ctx.app, org.manager.username));
    expect((await manager.get(`/api/v1/calls/${id}/analysis`)).status).toBe(200);

    const csr = api(ctx.app, await tokenFor(ctx.app, org.csrA.username));
    expect((await csr.get(`/api/v1/calls/${id}/analysis`)).status).toBe(404);
    expect((await csr.get(`/api/v1/calls/${id}/waveform`)).status).toBe(404);
    // Released to the CSR: the recording and its waveform open for them, the analysis stays not found.
    const rubric = await publishedRubric(ctx.deps, workedExampleRubric());
    const answers = itemsOf(rubric).map((item) => ({
      item_id: item.id,
      value: item.type === 'yes_no' ? 'yes' : item.type === 'scale' ? 4 : (item.options.at(-1)?.id ?? 0),
    }));
    const scored = await supervisor.post('/api/v1/evaluations', {
      call_id: id,
      rubric_id: rubric.id,
      answers,
      submit: true,
    });
    expect(scored.status).toBe(201);
    expect((await csr.get(`/api/v1/calls/${id}/recording`)).status).toBe(200);
    expect((await csr.get(`/api/v1/calls/${id}/waveform`)).status).toBe(200);
    const analysis = await csr.get(`/api/v1/calls/${id}/analysis`);
    expect(analysis.status).toBe(404);
    expect(analysis.text).not.toMatch(/analys/i);
  });

  test('a recording deleted under retention takes its peaks file with it; the figures stay', async () => {
    const id = await analysedCall();
    const row = await ctx.deps.db.selectFrom('calls').select('recording_file').where('id', '=', id).executeTakeFirst();
    const peaks = ctx.deps.storage.peaksPath(row?.recording_file ?? '');
    expect(fs.existsSync(peaks)).toBe(true);
    await ctx.deps.db.insertInto('settings').values({ key: 'recording_retention_days', value: '1' }).execute();
    ctx.clock.advance(400 * 86_400_000);
    expect(await applyRetention(ctx.deps)).toBe(1);
    expect(fs.existsSync(peaks)).toBe(false);
    const body = (await supervisor.get(`/api/v1/calls/${id}/analysis`)).body as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'done', waveform_url: null });
    expect((await analysisRow(ctx, id))?.dead_air_longest_s).not.toBeNull();
  });
});

describe('the analysis settings', () => {
  test('GET shows the defaults; PATCH changes them; the next analysis uses them', async () => {
    expect((await supervisor.get('/api/v1/settings')).body).toMatchObject({ agent_channel: 'left', dead_air_min_s: 2 });
    const adminApi = api(ctx.app, await tokenFor(ctx.app, org.admin.username));
    const res = await adminApi.patch('/api/v1/settings', { agent_channel: 'right', dead_air_min_s: 1 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ agent_channel: 'right', dead_air_min_s: 1, service_level_target: 0.85 });
    const id = await analysedCall();
    const speech = ((await supervisor.get(`/api/v1/calls/${id}/analysis`)).body as { speech: { agent_s: number } })
      .speech;
    // The right channel (2.5 s of tone) is now the agent.
    expect(speech.agent_s).toBeCloseTo(2.5, 0);
    expect(JSON.parse((await analysisRow(ctx, id))?.settings_used ?? '{}')).toEqual({
      agent_channel: 'right',
      dead_air_min_s: 1,
    });
  });

  test.each([
    [{ agent_channel: 'middle' }, 'agent_channel'],
    [{ agent_channel: 1 }, 'agent_channel'],
    [{ dead_air_min_s: 0 }, 'dead_air_min_s'],
    [{ dead_air_min_s: 'two' }, 'dead_air_min_s'],
    [{ colour: 'blue' }, '(body)'],
  ])('PATCH %j is a 422 naming the field, and nothing changes', async (body, path) => {
    const adminApi = api(ctx.app, await tokenFor(ctx.app, org.admin.username));
    const res = await adminApi.patch('/api/v1/settings', body);
    expect(res.status).toBe(422);
    const details = (res.body as { error: { details: Array<{ path: string }> } }).error.details;
    expect(details.map((d) => d.path)).toContain(path);
    expect((await adminApi.get('/api/v1/settings')).body).toMatchObject({ agent_channel: 'left', dead_air_min_s: 2 });
  });

  test('only an admin changes settings', async () => {
    expect((await supervisor.patch('/api/v1/settings', { agent_channel: 'right' })).status).toBe(403);
  });

  test('the settings page saves both, and refuses a bad value with 422 beside the field', async () => {
    const admin = await signIn(ctx.app, org.admin.username);
    const csrf = await csrfFrom(admin, '/admin/settings');
    const fields = { _csrf: csrf, agent_channel: 'sideways', dead_air_min_s: '3' };
    const bad = await admin.post('/admin/settings').type('form').send(fields);
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/id="agent_channel-error"/);
    const good = await admin
      .post('/admin/settings')
      .type('form')
      .send({ ...fields, agent_channel: 'right' });
    expect(good.status).toBe(303);
    expect((await supervisor.get('/api/v1/settings')).body).toMatchObject({
      agent_channel: 'right',
      dead_air_min_s: 3,
    });
  });
});
