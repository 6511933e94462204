import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { probeAudio } from '../../src/recordings/audio-probe';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { csrfFrom, signIn } from '../helpers/http';
import {
  auditActions,
  callFields,
  callRow,
  eventually,
  flac,
  GENERATED_FILE,
  NOT_AUDIO,
  pushCall,
  rawMultipart,
  recordingFile,
  riffWithGarbage,
  sample,
  SAMPLES_DIR,
  sha256,
  storageState,
  tokenFor,
  wav,
} from './fixtures';

// A 1 MB limit keeps the over-the-limit files small; every sample recording is below it.
const LIMIT_MB = '1';

let ctx: TestContext;
let org: Org;
let supervisorToken: string;

beforeEach(async () => {
  ctx = makeTestApp({ MAX_UPLOAD_MB: LIMIT_MB });
  org = await buildOrg(ctx.deps);
  supervisorToken = await tokenFor(ctx.app, org.supervisorA.username);
});
afterEach(async () => ctx.close());

type State = Awaited<ReturnType<typeof storageState>>;

/** Staging empties once the response is over; after that nothing else may have changed. */
async function expectNothingStored(before: State) {
  const stagingEmptied = await eventually(() => fs.readdirSync(ctx.deps.storage.stagingDir).length === 0);
  expect(stagingEmptied).toBe(true);
  expect(await storageState(ctx)).toEqual({ ...before, staged: [] });
}

function expectJsonError(body: unknown, code: string) {
  const error = (body as { error: { code: string; message: string } }).error;
  expect(error.code).toBe(code);
  expect(error.message.length).toBeGreaterThan(0);
  expect(JSON.stringify(body)).not.toMatch(/\bat .+\.(ts|js|mjs):\d+/);
}

async function expectServerStillServes() {
  const res = await pushCall(ctx.app, supervisorToken, callFields(org.csrA.username), [recordingFile(wav())]);
  expect(res.status).toBe(201);
}

describe('POST /api/v1/calls (one call from the phone system)', () => {
  test('stores the call, its recording under a generated name with sha256 and size, and its transcript', async () => {
    const audio = sample('call-good-returns.wav');
    const fields = callFields(org.csrA.username, {
      external_id: 'pbx-1001',
      started_at: '2026-11-02T10:00:00+01:00',
      category: 'returns',
      queue_wait_s: '12',
      hold_s: '3',
      duration_s: '43.7',
      csat: '4',
    });
    const res = await pushCall(ctx.app, supervisorToken, fields, [
      recordingFile(audio, 'call-good-returns.wav'),
      { field: 'transcript', bytes: sample('call-good-returns.vtt'), filename: 'call.vtt', contentType: 'text/vtt' },
    ]);

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      external_id: 'pbx-1001',
      source: 'default',
      agent: org.csrA.username,
      agent_id: org.csrA.id,
      team_id: org.teamA,
      started_at: '2026-11-02T09:00:00.000Z',
      direction: 'inbound',
      category: 'returns',
      queue_wait_s: 12,
      hold_s: 3,
      duration_s: 43.7,
      csat: 4,
      abandoned: false,
      evaluated: false,
      recording_status: 'stored',
      recording_url: `/api/v1/calls/${res.body.id}/recording`,
      recording: {
        status: 'stored',
        mime: 'audio/wav',
        bytes: audio.length,
        sha256: sha256(audio),
        codec: 'PCM',
        channels: 1,
        sample_rate: 8000,
        original_name: 'call-good-returns.wav',
      },
    });
    expect(res.body.recording.duration_s).toBeCloseTo(43.717, 2);
    expect(res.body.transcript.format).toBe('vtt');
    expect(res.body.transcript.cues).toHaveLength(8);
    expect(res.body.transcript.cues[0]).toEqual({
      start_s: 0,
      end_s: 5.395,
      speaker: 'Agent',
      side: 'agent',
      text: 'Thank you for calling Acme Home Goods, my name is Dana. How can I help you today?',
    });

    const row = await callRow(ctx, res.body.id);
    expect(row.recording_file).toMatch(GENERATED_FILE);
    expect(row.recording_file).toMatch(/\.wav$/);
    const state = await storageState(ctx);
    expect(state).toEqual({ recordings: [row.recording_file], staged: [], calls: 1 });
    expect(sha256(fs.readFileSync(ctx.deps.storage.recordingPath(row.recording_file!)))).toBe(sha256(audio));
    const audit = await auditActions(ctx, 'call.created');
    expect(audit.map((a) => [a.entity_id, a.actor_id])).toEqual([[res.body.id, org.supervisorA.id]]);
  });

  test('the same external id again answers 200 with the existing call and stores nothing more', async () => {
    const fields = callFields(org.csrA.username, { external_id: 'pbx-dup' });
    const first = await pushCall(ctx.app, supervisorToken, fields, [recordingFile(sample('call-no-greeting.wav'))]);
    expect(first.status).toBe(201);
    const before = await storageState(ctx);

    const again = await pushCall(ctx.app, supervisorToken, { ...fields, duration_s: '999', category: 'billing' }, [
      recordingFile(sample('call-long-hold.wav')),
    ]);

    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.category).toBe('returns');
    expect(again.body.recording.sha256).toBe(sha256(sample('call-no-greeting.wav')));
    await expectNothingStored(before);
    expect(await auditActions(ctx, 'call.created')).toHaveLength(1);
  });

  test('an external id is unique per source: the same id from another source is another call', async () => {
    const fields = callFields(org.csrA.username, { external_id: 'shared-id' });
    const a = await pushCall(ctx.app, supervisorToken, { ...fields, source: 'pbx-east' });
    const b = await pushCall(ctx.app, supervisorToken, { ...fields, source: 'pbx-west' });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).not.toBe(b.body.id);
    expect((await storageState(ctx)).calls).toBe(2);
  });

  test('a call without files is stored without recording or transcript', async () => {
    const res = await pushCall(ctx.app, supervisorToken, callFields(org.csrA.username));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ recording_status: null, recording_url: null, recording: null, transcript: null });
    expect(await storageState(ctx)).toEqual({ recordings: [], staged: [], calls: 1 });
  });

  test('an abandoned inbound call is stored with no agent but keeps its queue wait', async () => {
    const res = await pushCall(ctx.app, supervisorToken, {
      external_id: 'abandoned-1',
      started_at: '2026-11-20T10:00:00Z',
      direction: 'inbound',
      queue_wait_s: '95',
      abandoned: 'true',
      team_id: String(org.teamA),
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      agent: null,
      agent_id: null,
      team_id: org.teamA,
      abandoned: true,
      queue_wait_s: 95,
    });
  });

  test('an abandoned call with a recording is refused with 422 and leaves nothing behind', async () => {
    const before = await storageState(ctx);
    const res = await pushCall(
      ctx.app,
      supervisorToken,
      { external_id: 'abandoned-2', started_at: '2026-11-20T10:00:00Z', abandoned: 'true', team_id: String(org.teamA) },
      [recordingFile(wav())],
    );
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([{ path: 'recording', message: 'An abandoned call has no recording.' }]);
    await expectNothingStored(before);
  });

  test.each([
    ['an unknown agent', { agent: 'nobody' }, 'agent'],
    ['an agent outside the uploader’s teams', { agent: 'OTHER' }, 'agent'],
    ['a start time without a zone', { started_at: '2026-11-20 10:00' }, 'started_at'],
    ['a date that does not exist', { started_at: '2026-02-30T10:00:00Z' }, 'started_at'],
    ['a negative hold', { hold_s: '-5' }, 'hold_s'],
    ['a CSAT of 6', { csat: '6' }, 'csat'],
    ['an unknown direction', { direction: 'sideways' }, 'direction'],
  ])('%s is refused with 422 naming the field, and nothing is stored', async (_label, overrides, field) => {
    const fields = callFields(org.csrA.username, overrides);
    if (fields.agent === 'OTHER') fields.agent = org.otherCsr.username;
    const before = await storageState(ctx);
    const res = await pushCall(ctx.app, supervisorToken, fields, [recordingFile(wav())]);
    expect(res.status).toBe(422);
    expectJsonError(res.body, 'validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
    await expectNothingStored(before);
  });

  test('a CSR may not push calls: 403 and nothing stored', async () => {
    const csrToken = await tokenFor(ctx.app, org.csrA.username);
    const before = await storageState(ctx);
    const res = await pushCall(ctx.app, csrToken, callFields(org.csrA.username), [recordingFile(wav())]);
    expect(res.status).toBe(403);
    await expectNothingStored(before);
  });

  test('a JSON body instead of multipart is refused with 415', async () => {
    const res = await request(ctx.app)
      .post('/api/v1/calls')
      .set('Authorization', `Bearer ${supervisorToken}`)
      .send(callFields(org.csrA.username));
    expect(res.status).toBe(415);
    expectJsonError(res.body, 'unsupported_media_type');
    expect((await storageState(ctx)).calls).toBe(0);
  });

  test('a plain-text transcript is kept as text, one cue per line with its speaker', async () => {
    const res = await pushCall(ctx.app, supervisorToken, callFields(org.csrA.username), [
      {
        field: 'transcript',
        bytes: Buffer.from('Agent: Hello, this is Dana.\nCustomer: Hi Dana.\n'),
        filename: 't.txt',
        contentType: 'text/plain',
      },
    ]);
    expect(res.status).toBe(201);
    expect(res.body.transcript).toEqual({
      format: 'text',
      source: null,
      cues: [
        { start_s: -1, end_s: -1, speaker: 'Agent', side: 'agent', text: 'Hello, this is Dana.' },
        { start_s: -1, end_s: -1, speaker: 'Customer', side: 'customer', text: 'Hi Dana.' },
      ],
    });
  });

  test.each([
    ['a binary transcript', Buffer.from([0x00, 0xff, 0xfe, 0x00, 0x41])],
    ['a WebVTT transcript without cues', Buffer.from('WEBVTT\n\nNOTE nothing here\n')],
  ])('%s is refused with 422 and the recording sent with it is not kept', async (_label, transcript) => {
    const before = await storageState(ctx);
    const res = await pushCall(ctx.app, supervisorToken, callFields(org.csrA.username), [
      recordingFile(wav()),
      { field: 'transcript', bytes: transcript, filename: 't.vtt', contentType: 'text/vtt' },
    ]);
    expect(res.status).toBe(422);
    expectJsonError(res.body, 'invalid_file');
    await expectNothingStored(before);
  });
});

describe('recording checks: magic bytes decide, never the name or Content-Type', () => {
  test('a FLAC file named .wav and sent as audio/wav is stored as FLAC', async () => {
    const res = await pushCall(ctx.app, supervisorToken, callFields(org.csrA.username), [
      recordingFile(flac({ seconds: 2 }), 'call.wav', 'audio/wav'),
    ]);
    expect(res.status).toBe(201);
    expect(res.body.recording).toMatchObject({ mime: 'audio/flac', codec: 'FLAC', duration_s: 2, sample_rate: 8000 });
    const row = await callRow(ctx, res.body.id);
    expect(row.recording_file).toMatch(/^[a-f0-9]{32}\.flac$/);
  });

  test('a WAV named .mp3 and sent as audio/mpeg is stored as WAV', async () => {
    const res = await pushCall(ctx.app, supervisorToken, callFields(org.csrA.username), [
      recordingFile(wav({ seconds: 2, sampleRate: 16000, channels: 2 }), 'call.mp3', 'audio/mpeg'),
    ]);
    expect(res.status).toBe(201);
    expect(res.body.recording).toMatchObject({ mime: 'audio/wav', channels: 2, sample_rate: 16000, duration_s: 2 });
    expect((await callRow(ctx, res.body.id)).recording_file).toMatch(/^[a-f0-9]{32}\.wav$/);
  });

  test.each(Object.keys(NOT_AUDIO))('%s named .wav and sent as audio/wav is refused with 415', async (kind) => {
    const before = await storageState(ctx);
    const res = await pushCall(ctx.app, supervisorToken, callFields(org.csrA.username), [
      recordingFile(NOT_AUDIO[kind], 'call.wav', 'audio/wav'),
    ]);
    expect(res.status).toBe(415);
    expectJsonError(res.body, 'unsupported_media_type');
    await expectNothingStored(before);
  });

  test.each([
    ['the first 30% of a sample WAV', () => sample('call-good-returns.wav').subarray(0, 200_000)],
    ['only the first 40 bytes of a WAV header', () => sample('call-no-greeting.wav').subarray(0, 40)],
    ['a RIFF/WAVE header followed by garbage', () => riffWithGarbage()],
    ['an empty file', () => Buffer.alloc(0)],
  ])('%s is refused with 422 and a message, and the server answers the next upload', async (_label, bytes) => {
    const before = await storageState(ctx);
    const res = await pushCall(ctx.app, supervisorToken, callFields(org.csrA.username), [
      recordingFile(bytes(), 'call.wav'),
    ]);
    expect(res.status).toBe(422);
    expectJsonError(res.body, 'invalid_file');
    await expectNothingStored(before);
    await expectServerStillServes();
  });

  test('reading the audio format runs under a time limit and reports a damaged file when it is exceeded', async () => {
    const slow = await probeAudio(path.join(SAMPLES_DIR, 'call-good-returns.wav'), 1);
    expect(slow).toEqual({ ok: false, message: expect.stringMatching(/too long/) });
    const normal = await probeAudio(path.join(SAMPLES_DIR, 'call-good-returns.wav'));
    expect(normal.ok).toBe(true);
  });
});

describe('size limit', () => {
  const oversized = () => wav({ seconds: 70 }); // 1.12 MB against a 1 MB limit

  test('a recording over MAX_UPLOAD_MB is refused with 413 through the API and nothing is left on disk', async () => {
    expect(oversized().length).toBeGreaterThan(1024 * 1024);
    const before = await storageState(ctx);
    const res = await pushCall(ctx.app, supervisorToken, callFields(org.csrA.username), [recordingFile(oversized())]);
    expect(res.status).toBe(413);
    expectJsonError(res.body, 'too_large');
    await expectNothingStored(before);
    await expectServerStillServes();
  });

  test('a recording over the limit on the page is refused with 413 and nothing is left on disk', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const csrf = await csrfFrom(agent, '/profile');
    const before = await storageState(ctx);
    let req = agent.post('/calls').field('_csrf', csrf);
    for (const [name, value] of Object.entries(callFields(org.csrA.username))) req = req.field(name, value);
    const res = await req.attach('recording', oversized(), { filename: 'big.wav', contentType: 'audio/wav' });
    expect(res.status).toBe(413);
    expect(res.text).toContain('1 MB');
    await expectNothingStored(before);
  });

  test('a recording just under the limit is accepted', async () => {
    const audio = wav({ seconds: 65 }); // 1.04 MB decimal, under 1 MiB
    expect(audio.length).toBeLessThan(1024 * 1024);
    const res = await pushCall(ctx.app, supervisorToken, callFields(org.csrA.username), [recordingFile(audio)]);
    expect(res.status).toBe(201);
    expect(res.body.recording.bytes).toBe(audio.length);
  });
});

describe('client abort', () => {
  test('a client that disconnects mid-upload leaves no staging file and no row', async () => {
    const server = http.createServer(ctx.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const { body, contentType } = rawMultipart(callFields(org.csrA.username), {
        field: 'recording',
        rawFilename: Buffer.from('call.wav'),
        bytes: wav({ seconds: 30 }),
        contentType: 'audio/wav',
      });
      const req = http.request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/v1/calls',
        headers: {
          'Content-Type': contentType,
          'Content-Length': String(body.length),
          Authorization: `Bearer ${supervisorToken}`,
        },
      });
      req.on('error', () => undefined);
      req.write(body.subarray(0, Math.floor(body.length / 2)));

      const stagingDir = ctx.deps.storage.stagingDir;
      expect(await eventually(() => fs.readdirSync(stagingDir).length > 0)).toBe(true);
      expect(fs.readdirSync(stagingDir)).toEqual([expect.stringMatching(/^[a-f0-9]{32}$/)]);
      req.destroy();

      expect(await eventually(() => fs.readdirSync(stagingDir).length === 0)).toBe(true);
      expect(await storageState(ctx)).toEqual({ recordings: [], staged: [], calls: 0 });
      await expectServerStillServes();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('hostile file names', () => {
  function postRaw(rawFilename: Buffer) {
    const { body, contentType } = rawMultipart(callFields(org.csrA.username), {
      field: 'recording',
      rawFilename,
      bytes: wav(),
      contentType: 'audio/wav',
    });
    return request(ctx.app)
      .post('/api/v1/calls')
      .set('Authorization', `Bearer ${supervisorToken}`)
      .set('Content-Type', contentType)
      .send(body);
  }

  function expectNothingOutsideRecordings() {
    for (const dir of [ctx.dataDir, path.dirname(ctx.dataDir), ctx.deps.storage.recordingsDir]) {
      expect(fs.readdirSync(dir).filter((name) => /escaped|injected|\.exe$/i.test(name))).toEqual([]);
    }
  }

  // How a browser sends them: path separators as typed, CR/LF percent-encoded (HTML form-data encoding).
  const accepted: Array<[string, string, string]> = [
    ['a path with ../', '../../../escaped.wav', 'escaped.wav'],
    ['a Windows path', '..\\..\\escaped-win.wav', 'escaped-win.wav'],
    ['an encoded CR/LF', 'call%0D%0AX-Injected: yes.wav', 'call\r\nX-Injected: yes.wav'],
    ['an encoded NUL', 'call%00.wav.exe', 'call%00.wav.exe'],
    ['5 KB of name', `${'n'.repeat(5 * 1024)}.wav`, 'n'.repeat(255)],
    ['HTML', '<img src=x onerror=alert(1)>.wav', '<img src=x onerror=alert(1)>.wav'],
  ];

  test.each(accepted)(
    'a file name with %s is stored under a generated name, the original kept as data',
    async (_label, sent, kept) => {
      const res = await postRaw(Buffer.from(sent));
      expect(res.status).toBe(201);
      const row = await callRow(ctx, res.body.id);
      expect(row.recording_file).toMatch(GENERATED_FILE);
      expect(row.recording_original_name).toBe(kept);
      const state = await storageState(ctx);
      expect(state.recordings).toEqual([row.recording_file]);
      expect(state.staged).toEqual([]);
      expectNothingOutsideRecordings();
      const playback = await request(ctx.app)
        .get(`/api/v1/calls/${res.body.id}/recording?download=1`)
        .set('Authorization', `Bearer ${supervisorToken}`);
      expect(playback.status).toBe(200);
      expect(playback.headers['content-disposition']).toMatch(/^attachment; /);
      expect(playback.headers['content-disposition']).not.toMatch(/[\r\n]/);
      expect(playback.headers['content-disposition']).not.toContain('\u0000');
      expect(playback.headers['x-injected']).toBeUndefined();
    },
  );

  test('a raw NUL byte in the part header is refused as a malformed upload and nothing is stored', async () => {
    const before = await storageState(ctx);
    const res = await postRaw(Buffer.from('call\u0000.wav.exe'));
    expect(res.status).toBe(400);
    expectJsonError(res.body, 'bad_upload');
    await expectNothingStored(before);
    expectNothingOutsideRecordings();
  });

  test('a raw CR/LF that cuts the part header short drops that part: no recording, no injected header, nothing stray', async () => {
    const before = await storageState(ctx);
    const res = await postRaw(Buffer.from('call\r\nX-Injected: yes.wav'));
    // The multipart parser (busboy) discards a part whose header it cannot read, leaving no trace of it in the
    // request; the call's own fields are intact, so it is stored without a recording.
    expect(res.status).toBe(201);
    expect(res.body.recording).toBeNull();
    expect(res.headers['x-injected']).toBeUndefined();
    const after = await storageState(ctx);
    expect(after.recordings).toEqual(before.recordings);
    expect(after.calls).toBe(before.calls + 1);
    expectNothingOutsideRecordings();
  });

  test('the original name of a recording is shown escaped on the call page', async () => {
    const name = '<img src=x onerror=alert(1)>.wav';
    const res = await pushCall(ctx.app, supervisorToken, callFields(org.csrA.username), [recordingFile(wav(), name)]);
    expect(res.status).toBe(201);
    expect(res.body.recording.original_name).toBe(name);
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const page = await agent.get(`/calls/${res.body.id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt;.wav');
  });

  test('a UTF-8 file name is kept as sent, not decoded as Latin-1', async () => {
    const name = 'Gespräch – Kunde €.wav';
    const res = await pushCall(ctx.app, supervisorToken, callFields(org.csrA.username), [recordingFile(wav(), name)]);
    expect(res.status).toBe(201);
    expect(res.body.recording.original_name).toBe(name);
  });
});

describe('two uploads of the same call at once', () => {
  test('exactly one call row and one recording file remain, and both answers name that call', async () => {
    const fields = callFields(org.csrA.username, { external_id: 'race-1' });
    const audio = sample('call-skipped-verification.wav');
    const [a, b] = await Promise.all([
      pushCall(ctx.app, supervisorToken, fields, [recordingFile(audio)]),
      pushCall(ctx.app, supervisorToken, fields, [recordingFile(audio)]),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.id).toBe(b.body.id);
    const row = await callRow(ctx, a.body.id);
    expect(await eventually(() => fs.readdirSync(ctx.deps.storage.stagingDir).length === 0)).toBe(true);
    expect(await storageState(ctx)).toEqual({ recordings: [row.recording_file], staged: [], calls: 1 });
    expect(row.recording_sha256).toBe(sha256(audio));
  });
});

describe('POST /calls (the page form)', () => {
  async function postCallPage(
    agent: Awaited<ReturnType<typeof signIn>>,
    fields: Record<string, string>,
    csrf: string | null,
  ) {
    let req = csrf === null ? agent.post('/calls') : agent.post('/calls').field('_csrf', csrf);
    for (const [name, value] of Object.entries(fields)) req = req.field(name, value);
    return req
      .attach('recording', sample('call-good-returns.wav'), { filename: 'call.wav', contentType: 'audio/wav' })
      .attach('transcript', sample('call-good-returns.vtt'), { filename: 'call.vtt', contentType: 'text/vtt' });
  }

  test('stores the call and redirects to its page, which shows the transcript with speakers', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const csrf = await csrfFrom(agent, '/profile');
    const res = await postCallPage(agent, callFields(org.csrA.username, { external_id: 'page-1' }), csrf);
    expect(res.status).toBe(303);
    const id = Number(/^\/calls\/(\d+)$/.exec(res.headers.location)?.[1]);
    const row = await callRow(ctx, id);
    expect(row.external_id).toBe('page-1');
    expect(row.recording_status).toBe('stored');

    const page = await agent.get(res.headers.location);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Call stored.');
    expect(page.text).toContain(`src="/calls/${id}/recording"`);
    expect(page.text).toMatch(
      /<strong class="cue-speaker">Agent:<\/strong>\s*<span class="cue-text">Thank you for calling/,
    );
    expect(page.text).toMatch(
      /<strong class="cue-speaker">Customer:<\/strong>\s*<span class="cue-text">Hi, I bought a lamp/,
    );
    expect(page.text).toContain('data-seek="5.995"');
  });

  test('sending the same call again redirects to the existing call and says nothing changed', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const csrf = await csrfFrom(agent, '/profile');
    const fields = callFields(org.csrA.username, { external_id: 'page-dup' });
    const first = await postCallPage(agent, fields, csrf);
    const before = await storageState(ctx);
    const again = await postCallPage(agent, fields, csrf);
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(first.headers.location);
    expect((await agent.get(again.headers.location)).text).toContain('already stored; nothing changed');
    await expectNothingStored(before);
  });

  test('an invalid form is shown again with 422, the values kept and a message beside the field', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const csrf = await csrfFrom(agent, '/profile');
    const before = await storageState(ctx);
    const res = await postCallPage(
      agent,
      callFields(org.csrA.username, { external_id: 'keep-me', started_at: 'yesterday' }),
      csrf,
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('value="keep-me"');
    expect(res.text).toContain('Use an ISO-8601 date and time with a zone');
    await expectNothingStored(before);
  });

  test('a form without the CSRF token is refused with 403 before anything is written', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const before = await storageState(ctx);
    const res = await postCallPage(agent, callFields(org.csrA.username), null);
    expect(res.status).toBe(403);
    await expectNothingStored(before);
  });

  test('a recording that is not audio is refused on the page with 415 and a message', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const csrf = await csrfFrom(agent, '/profile');
    const before = await storageState(ctx);
    let req = agent.post('/calls').field('_csrf', csrf);
    for (const [name, value] of Object.entries(callFields(org.csrA.username))) req = req.field(name, value);
    const res = await req.attach('recording', NOT_AUDIO.HTML, { filename: 'call.wav', contentType: 'audio/wav' });
    expect(res.status).toBe(415);
    expect(res.text).toContain('not a supported audio file');
    await expectNothingStored(before);
  });

  test('a CSR cannot open or post the form', async () => {
    const agent = await signIn(ctx.app, org.csrA.username);
    expect((await agent.get('/calls/new')).status).toBe(403);
    const csrf = await csrfFrom(agent, '/profile');
    const res = await postCallPage(agent, callFields(org.csrA.username), csrf);
    expect(res.status).toBe(403);
    expect(await storageState(ctx)).toEqual({ recordings: [], staged: [], calls: 0 });
  });
});
