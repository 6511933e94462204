// Speech-to-text in the analysis jobs: a call without a transcript gets the engine's after its audio analysis
// (a real process writing whisper.cpp's JSON: test/fixtures/speech/fake-whisper.js); a transcript from the
// phone system is kept; an engine's failure is recorded without failing the analysis.
import path from 'node:path';
import request from 'supertest';
import { makeTestApp, type TestContext } from '../helpers/app';
import { postForm, signIn } from '../helpers/http';
import { buildOrg, type Org } from '../helpers/builders';
import { callFields, pushCall, recordingFile, VTT } from '../calls/fixtures';
import { analysisRow, callWav, pushRecordedCall, tokenFor, type CallAudio } from './jobs-fixtures';

jest.setTimeout(60_000);

const FAKE_WHISPER = path.join(__dirname, '..', 'fixtures', 'speech', 'fake-whisper.js');
/** The agent (left) speaks loudly, the customer's line is quiet: the fake engine hears a different line on each. */
const AGENT_ONLY: CallAudio = { seconds: 4, agent: [[0, 3]], customer: [] };

let ctx: TestContext;
let org: Org;
let token: string;
let hooked: number[];

async function start(extra = '', env: Record<string, string> = {}): Promise<void> {
  const command = `${process.execPath} ${FAKE_WHISPER} -f {file} -oj -of {out} ${extra}`;
  ctx = makeTestApp({ STT_ENGINE: 'command', STT_COMMAND: command, ...env });
  org = await buildOrg(ctx.deps);
  token = await tokenFor(ctx.app, org.supervisorA.username);
  hooked = [];
  ctx.deps.transcriptReplaced = [(id) => void hooked.push(id)];
}
afterEach(async () => ctx.close());

async function transcriptOf(callId: number) {
  return ctx.deps.db
    .selectFrom('calls')
    .select(['transcript', 'transcript_format', 'transcript_source'])
    .where('id', '=', callId)
    .executeTakeFirstOrThrow();
}

test('a call without a transcript gets the engine’s, per side, marked as speech-to-text', async () => {
  await start();
  const id = await pushRecordedCall(ctx.app, token, org.csrA.username, callWav(AGENT_ONLY));
  expect(await ctx.deps.analysis.drain(ctx.deps)).toBe(1);
  expect(await analysisRow(ctx, id)).toMatchObject({ status: 'done', last_error: null, stt_error: null });
  expect(await transcriptOf(id)).toEqual({
    transcript_format: 'vtt',
    transcript_source: 'stt',
    transcript: [
      'WEBVTT',
      '',
      '00:00:00.500 --> 00:00:02.000',
      '<v.agent Agent>Thank you for calling.',
      '',
      '00:00:02.250 --> 00:00:03.750',
      '<v.customer Customer>I have a question.',
      '',
    ].join('\n'),
  });
  expect(hooked).toEqual([id]);
  const api = await request(ctx.app).get(`/api/v1/calls/${id}`).set('Authorization', `Bearer ${token}`);
  const transcript = (api.body as { transcript: { source: string; cues: Array<{ side: string; text: string }> } })
    .transcript;
  expect(transcript.source).toBe('stt');
  expect(transcript.cues.map((c) => [c.side, c.text])).toEqual([
    ['agent', 'Thank you for calling.'],
    ['customer', 'I have a question.'],
  ]);
});

test('a call that came with a transcript keeps it: the engine is not asked', async () => {
  await start();
  const audio = recordingFile(callWav(AGENT_ONLY));
  const vtt = { field: 'transcript', bytes: Buffer.from(VTT), filename: 'call.vtt', contentType: 'text/vtt' };
  const res = await pushCall(ctx.app, token, callFields(org.csrA.username), [audio, vtt]);
  expect(res.status).toBe(201);
  const id = (res.body as { id: number }).id;
  const before = await transcriptOf(id);
  expect(before.transcript).toContain('My lamp arrived broken.');
  expect(await ctx.deps.analysis.drain(ctx.deps)).toBe(1);
  expect(await analysisRow(ctx, id)).toMatchObject({ status: 'done', stt_error: null });
  expect(await transcriptOf(id)).toEqual({ ...before, transcript_source: null });
  expect(hooked).toEqual([]);
});

test('a transcript sent later replaces the engine’s and is no longer marked as speech-to-text', async () => {
  await start();
  const id = await pushRecordedCall(ctx.app, token, org.csrA.username, callWav(AGENT_ONLY));
  await ctx.deps.analysis.drain(ctx.deps);
  expect((await transcriptOf(id)).transcript_source).toBe('stt');
  const res = await request(ctx.app)
    .post(`/api/v1/calls/${id}/transcript`)
    .set('Authorization', `Bearer ${token}`)
    .set('Content-Type', 'text/vtt')
    .send(VTT);
  expect(res.status).toBe(200);
  const after = await transcriptOf(id);
  expect(after.transcript_source).toBeNull();
  expect(after.transcript).toContain('My lamp arrived broken.');
  expect(after.transcript).not.toContain('Thank you for calling.');
});

test.each([
  ['a failing engine', '--mode fail', {}, /failed \(exit 3\): model not found/],
  ['output that is not JSON', '--mode garbage', {}, /wrote no ch0-out.json|did not write JSON/],
  ['a hanging engine', '--mode hang', { STT_TIMEOUT_S: '1' }, /took longer than 1 s/],
])('%s leaves the analysis done with the speech-to-text error recorded', async (_name, extra, env, message) => {
  await start(extra, env);
  const id = await pushRecordedCall(ctx.app, token, org.csrA.username, callWav(AGENT_ONLY));
  expect(await ctx.deps.analysis.drain(ctx.deps)).toBe(1);
  const row = await analysisRow(ctx, id);
  expect(row).toMatchObject({ status: 'done', attempts: 1, last_error: null });
  expect(row?.stt_error).toMatch(message);
  expect(row?.duration_s).toBeCloseTo(4, 1);
  expect(await transcriptOf(id)).toEqual({ transcript: null, transcript_format: null, transcript_source: null });
  expect(hooked).toEqual([]);
});

test('the speech-to-text error is shown on the call page to staff, with a retry; never to a CSR nor in the API', async () => {
  await start('--mode fail');
  const id = await pushRecordedCall(ctx.app, token, org.csrA.username, callWav(AGENT_ONLY));
  expect(await ctx.deps.analysis.drain(ctx.deps)).toBe(1);
  const supervisor = await signIn(ctx.app, org.supervisorA.username);
  const page = await supervisor.get(`/calls/${id}`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('data-analysis-status="stt_failed"');
  expect(page.text).toMatch(/Speech-to-text failed, so this call has no transcript from it: [^<]*model not found/);
  expect(page.text).toContain('Analyse and transcribe again');
  // The figures are there all the same.
  expect(page.text).toContain('data-analysis-status="done"');

  // The retry runs the analysis and the engine again (it fails the same way here: the error is fresh).
  const retry = await postForm(supervisor, `/calls/${id}/analysis`, {}, `/calls/${id}`);
  expect(retry.status).toBe(303);
  expect(await analysisRow(ctx, id)).toMatchObject({ status: 'pending', attempts: 0 });
  expect(await ctx.deps.analysis.drain(ctx.deps)).toBe(1);
  expect((await analysisRow(ctx, id))?.stt_error).toMatch(/model not found/);

  // The API keeps to its contract (no speech-to-text field); a CSR has no call page at all.
  const api = await request(ctx.app).get(`/api/v1/calls/${id}/analysis`).set('Authorization', `Bearer ${token}`);
  expect(api.status).toBe(200);
  expect(JSON.stringify(api.body)).not.toMatch(/stt|speech-to-text|model not found/i);
  const csr = await signIn(ctx.app, org.csrA.username);
  const csrPage = await csr.get(`/calls/${id}`);
  expect(csrPage.status).toBe(404);
  expect(csrPage.text).not.toMatch(/speech-to-text|model not found/i);
});

test('once the call has a transcript, the old speech-to-text error says so and the button is a plain re-run', async () => {
  await start('--mode fail');
  const id = await pushRecordedCall(ctx.app, token, org.csrA.username, callWav(AGENT_ONLY));
  await ctx.deps.analysis.drain(ctx.deps);
  const sent = await request(ctx.app)
    .post(`/api/v1/calls/${id}/transcript`)
    .set('Authorization', `Bearer ${token}`)
    .set('Content-Type', 'text/vtt')
    .send(VTT);
  expect(sent.status).toBe(201);
  const page = await (await signIn(ctx.app, org.supervisorA.username)).get(`/calls/${id}`);
  expect(page.text).toContain('The call has a transcript from elsewhere now.');
  expect(page.text).not.toContain('Analyse and transcribe again');
  expect(page.text).toContain('Analyse again');
});

test('with speech-to-text off (the default) a call is analysed and left without a transcript', async () => {
  await start('', { STT_ENGINE: 'off' });
  const id = await pushRecordedCall(ctx.app, token, org.csrA.username, callWav(AGENT_ONLY));
  expect(await ctx.deps.analysis.drain(ctx.deps)).toBe(1);
  expect(await analysisRow(ctx, id)).toMatchObject({ status: 'done', stt_error: null });
  expect((await transcriptOf(id)).transcript).toBeNull();
});

test('the run’s lease is extended by the engine’s time limits before it is heard', async () => {
  await start('--mode hang', { STT_TIMEOUT_S: '2' });
  const id = await pushRecordedCall(ctx.app, token, org.csrA.username, callWav(AGENT_ONLY));
  const leases = new Set<string>();
  const watch = setInterval(() => {
    void analysisRow(ctx, id).then((row) => row?.lease_until && leases.add(row.lease_until));
  }, 50);
  await ctx.deps.analysis.drain(ctx.deps).finally(() => clearInterval(watch));
  // The test clock stands still: the claim's lease is now + 15 min, the renewed one 4 × 2 s later.
  const claimed = ctx.clock.now().getTime() + 15 * 60_000;
  expect([...leases].sort().at(-1)).toBe(new Date(claimed + 8_000).toISOString());
});
