import fs from 'node:fs';
import path from 'node:path';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, buildUser, type Org } from '../helpers/builders';
import { csrfFrom, signIn } from '../helpers/http';
import { SAMPLES_DIR } from './fixtures';

// Issue 20: the project's own samples/calls/calls.csv uploads as it is, transcripts matched by name.

let ctx: TestContext;
let org: Org;

beforeEach(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  await buildUser(ctx.deps, 'csr', { username: 'csr.dana', team_id: org.teamA });
  await buildUser(ctx.deps, 'csr', { username: 'csr.omar', team_id: org.otherTeam });
});
afterEach(async () => ctx.close());

const SAMPLE_FILES = fs.readdirSync(SAMPLES_DIR).filter((f) => /\.(wav|vtt)$/.test(f));

async function uploadSamples(username: string) {
  const agent = await signIn(ctx.app, username);
  const csrf = await csrfFrom(agent, '/calls/bulk');
  let req = agent
    .post('/calls/bulk')
    .field('_csrf', csrf)
    .attach('csv', path.join(SAMPLES_DIR, 'calls.csv'), { filename: 'calls.csv', contentType: 'text/csv' });
  for (const name of SAMPLE_FILES) req = req.attach('recordings', path.join(SAMPLES_DIR, name), { filename: name });
  return req;
}

test('an admin uploads the sample set as it is: every call lands with its recording and transcript', async () => {
  expect(SAMPLE_FILES).toHaveLength(8);
  const res = await uploadSamples(org.admin.username);
  expect(res.status).toBe(200);
  expect(res.text).toContain('<strong>4</strong> stored');
  expect(res.text).not.toContain('Send the transcript as a file');
  const calls = await ctx.deps.db
    .selectFrom('calls')
    .select(['id', 'external_id', 'recording_status', 'transcript_format', 'transcript'])
    .orderBy('external_id')
    .execute();
  expect(calls.map((c) => [c.external_id, c.recording_status, c.transcript_format])).toEqual([
    ['call-good-returns', 'stored', 'vtt'],
    ['call-long-hold', 'stored', 'vtt'],
    ['call-no-greeting', 'stored', 'vtt'],
    ['call-skipped-verification', 'stored', 'vtt'],
  ]);
  expect(calls[0]?.transcript).toContain('WEBVTT');
  // The summary links to each new call.
  for (const call of calls) expect(res.text).toContain(`<a href="/calls/${call.id}">${call.external_id}</a>`);
});

test('a supervisor gets "not in your teams" for a CSR of another team; the rest land', async () => {
  const res = await uploadSamples(org.supervisorA.username);
  expect(res.status).toBe(200);
  expect(res.text).toContain('No CSR named csr.omar in your teams.');
  expect(res.text).toContain('<strong>2</strong> stored');
  const stored = await ctx.deps.db.selectFrom('calls').select('external_id').orderBy('external_id').execute();
  expect(stored.map((c) => c.external_id)).toEqual(['call-good-returns', 'call-long-hold']);
  const refusedFiles = await ctx.deps.db
    .selectFrom('calls')
    .select('recording_original_name')
    .where('recording_original_name', 'in', ['call-no-greeting.wav', 'call-skipped-verification.wav'])
    .execute();
  expect(refusedFiles).toEqual([]);
});

test('a line naming a transcript that was not sent is refused and stores nothing for it', async () => {
  const agent = await signIn(ctx.app, org.admin.username);
  const csrf = await csrfFrom(agent, '/calls/bulk');
  const res = await agent
    .post('/calls/bulk')
    .field('_csrf', csrf)
    .attach('csv', path.join(SAMPLES_DIR, 'calls.csv'), { filename: 'calls.csv', contentType: 'text/csv' })
    .attach('recordings', path.join(SAMPLES_DIR, 'call-good-returns.wav'), { filename: 'call-good-returns.wav' });
  expect(res.text).toContain('call-good-returns.vtt was not among the uploaded files.');
  expect(await ctx.deps.db.selectFrom('calls').selectAll().execute()).toEqual([]);
});
