import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { csrfFrom, signIn } from '../helpers/http';
import { callFields, callRow, eventually, pushCall, tokenFor } from '../calls/fixtures';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'transcripts');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name));

let ctx: TestContext;
let org: Org;
let tokens: Record<'admin' | 'manager' | 'supervisorA' | 'supervisorB' | 'otherManager' | 'csrA', string>;
let callId: number;
const replaced: number[] = [];

beforeEach(async () => {
  ctx = makeTestApp();
  replaced.length = 0;
  ctx.deps.transcriptReplaced = [(id) => void replaced.push(id)];
  org = await buildOrg(ctx.deps);
  const who = ['admin', 'manager', 'supervisorA', 'supervisorB', 'otherManager', 'csrA'] as const;
  tokens = Object.fromEntries(
    await Promise.all(who.map(async (w) => [w, await tokenFor(ctx.app, org[w].username)])),
  ) as typeof tokens;
  const res = await pushCall(ctx.app, tokens.supervisorA, callFields(org.csrA.username));
  callId = res.body.id;
});
afterEach(async () => ctx.close());

function post(token: string, id = callId) {
  return request(ctx.app).post(`/api/v1/calls/${id}/transcript`).set('Authorization', `Bearer ${token}`);
}

const stagingEmpty = () => eventually(() => fs.readdirSync(ctx.deps.storage.stagingDir).length === 0);

describe('POST /api/v1/calls/:id/transcript', () => {
  test.each([
    ['call.vtt', 'text/vtt', 'vtt'],
    ['call.srt', 'application/x-subrip', 'srt'],
    ['call.json', 'application/json', 'json'],
    ['call.txt', 'text/plain', 'text'],
  ])('a raw %s body is stored: 201 with its line count, cues with sides on the call', async (file, type, source) => {
    // The VTT fixture's third voice is the agent by name: here, csrA's.
    const body = fixture(file).toString('utf8').replace('Dana Smith', org.csrA.display_name);
    const res = await post(tokens.supervisorA).set('Content-Type', type).send(body);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ call_id: callId, source, cues: 3, replaced: false });
    const call = await request(ctx.app).get(`/api/v1/calls/${callId}`).set('Authorization', `Bearer ${tokens.admin}`);
    expect(call.body.transcript.cues.map((c: { side: string }) => c.side)).toEqual(['agent', 'customer', 'agent']);
    expect(replaced).toEqual([callId]);
    expect(await stagingEmpty()).toBe(true);
  });

  test('a multipart file replaces the earlier transcript (200) and only the new one is kept', async () => {
    expect((await post(tokens.manager).attach('transcript', fixture('call.json'), 'a.json')).status).toBe(201);
    const res = await post(tokens.admin).attach('transcript', Buffer.from('Customer: Only this now.\n'), 'b.txt');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ source: 'text', cues: 1, replaced: true });
    const row = await callRow(ctx, callId);
    expect(row).toMatchObject({ transcript_format: 'text', transcript: '<v.customer Customer>Only this now.\n' });
    expect(replaced).toEqual([callId, callId]);
  });

  test.each([
    ['csrA', 404],
    ['supervisorB', 404],
    ['otherManager', 404],
  ] as const)('%s gets %s and nothing changes', async (who, status) => {
    const res = await post(tokens[who]).set('Content-Type', 'text/vtt').send(fixture('call.vtt'));
    expect(res.status).toBe(status);
    expect((await callRow(ctx, callId)).transcript).toBeNull();
    expect(replaced).toEqual([]);
  });

  test('a missing call is a 404', async () => {
    expect((await post(tokens.admin, 999_999).set('Content-Type', 'text/plain').send('Agent: hi')).status).toBe(404);
  });

  test.each([
    ['application/pdf', Buffer.from('%PDF-1.4'), 415, 'unsupported_media_type'],
    ['text/vtt', Buffer.from('WEBVTT\n\n00:00:05.000 --> 00:00:04.000\n<v Agent>x\n'), 422, 'invalid_file'],
    ['text/plain', Buffer.from('Agent: hi\nBob: who am I?\n'), 422, 'invalid_file'],
    ['text/plain', Buffer.from([0x41, 0x67, 0xe9, 0x6e, 0x74]), 422, 'invalid_file'],
    ['text/plain', Buffer.alloc(0), 422, 'invalid_file'],
    ['application/json', Buffer.from('[{"speaker":"agent"'), 422, 'invalid_file'],
    ['text/plain', Buffer.alloc(10 * 1024 * 1024, 'Agent: words\n'), 413, 'too_large'],
  ])(
    '%s body refused with %s: the earlier transcript stays, nothing left in staging',
    async (type, body, status, code) => {
      await post(tokens.supervisorA).set('Content-Type', 'text/plain').send('Agent: the first one.');
      replaced.length = 0;
      const res = await post(tokens.supervisorA).set('Content-Type', type).send(body);
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect((await callRow(ctx, callId)).transcript).toBe('<v.agent Agent>the first one.\n');
      expect(replaced).toEqual([]);
      expect(await stagingEmpty()).toBe(true);
    },
  );

  test('a 10 MB multipart file is a 413 and leaves no file behind', async () => {
    const res = await post(tokens.admin).attach('transcript', Buffer.alloc(10 * 1024 * 1024, 'x'), 'big.txt');
    expect(res.status).toBe(413);
    expect(await stagingEmpty()).toBe(true);
    expect((await callRow(ctx, callId)).transcript).toBeNull();
  });

  test('an unknown speaker is named in the 422', async () => {
    const res = await post(tokens.admin).set('Content-Type', 'text/plain').send('Agent: hi\nSpeaker 3: hello\n');
    expect(res.body.error.message).toMatch(/^Unknown speaker "Speaker 3": .*Settings/);
  });
});

describe('the call page upload', () => {
  test('a supervisor uploads a transcript on the call page and sees its lines; a refusal shows the reason', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const page = await agent.get(`/calls/${callId}`);
    expect(page.text).toContain('Add a transcript');
    const token = await csrfFrom(agent, `/calls/${callId}`);
    const action = `/calls/${callId}/transcript`;
    const ok = await agent.post(action).field('_csrf', token).attach('transcript', fixture('call.srt'), 'call.srt');
    expect(ok.status).toBe(303);
    const after = await agent.get(`/calls/${callId}`);
    expect(after.text).toContain('Transcript added (3 lines).');
    expect(after.text).toContain('Hi Dana, my lamp arrived broken.');
    expect(after.text).toContain('Replace the transcript');

    const bad = await agent
      .post(action)
      .field('_csrf', token)
      .attach('transcript', Buffer.from('Bob: hi\n'), 'bad.txt');
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Unknown speaker &#34;Bob&#34;');
    expect((await callRow(ctx, callId)).transcript).toContain('Hi Dana, my lamp arrived broken.');
  });

  test('without the CSRF token the upload is refused and nothing changes', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const res = await agent.post(`/calls/${callId}/transcript`).attach('transcript', fixture('call.txt'), 'c.txt');
    expect(res.status).toBe(403);
    expect((await callRow(ctx, callId)).transcript).toBeNull();
  });

  test('a CSR gets no form and a 404 from the upload', async () => {
    const agent = await signIn(ctx.app, org.csrA.username);
    const token = await csrfFrom(agent, '/profile');
    const res = await agent
      .post(`/calls/${callId}/transcript`)
      .field('_csrf', token)
      .attach('transcript', fixture('call.txt'), 'c.txt');
    expect(res.status).toBe(404);
    expect((await callRow(ctx, callId)).transcript).toBeNull();
  });
});
