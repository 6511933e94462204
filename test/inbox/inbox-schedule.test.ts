// The recordings inbox swept by the running server on its own (issue 18): the real server (src/server.ts, as
// `npm start` runs it) started as a child process with RECORDINGS_INBOX and a one-second sweep period
// (RECORDINGS_INBOX_SWEEP_S), a recording dropped into the folder, and the call seen with it over HTTP; no test
// code calls the sweep. SQLite only (the server is a child process on the data folder's database file).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { makeTestApp, sqliteOf } from '../helpers/app';
import { buildOrg } from '../helpers/builders';
import { tokenFor } from '../helpers/scoring';
import { wav } from '../calls/fixtures';
import { call, killAllStarted, sleep, startServer, type ServerProcess } from '../faults/harness';
import { ANSWERED_CDR as CDR, RECORDING_NAME as NAME } from './fixtures';

jest.setTimeout(120_000);

let inboxDir: string;
let dataDir: string;
let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.stop();
  await killAllStarted();
  fs.rmSync(inboxDir, { recursive: true, force: true });
});

/** A data folder with an org, CSR A on extension 1001 and the call's record imported; closed for the server. */
async function prepare(): Promise<{ token: string; callId: number }> {
  const ctx = makeTestApp();
  try {
    const org = await buildOrg(ctx.deps);
    const token = await tokenFor(ctx.deps, org.admin);
    const auth = { Authorization: `Bearer ${token}` };
    await request(ctx.app).patch(`/api/v1/users/${org.csrA.id}`).set(auth).send({ extension: '1001' }).expect(200);
    const imported = await request(ctx.app)
      .post('/api/v1/calls/import?format=asterisk')
      .set(auth)
      .set('Content-Type', 'text/csv')
      .send(CDR);
    expect(imported.body.errors).toEqual([]);
    const row = await ctx.deps.db
      .selectFrom('calls')
      .select('id')
      .where('external_id', '=', '1793000000.1')
      .executeTakeFirstOrThrow();
    dataDir = ctx.dataDir;
    return { token, callId: row.id };
  } finally {
    sqliteOf(ctx.database).pragma('wal_checkpoint(TRUNCATE)');
    await ctx.close();
  }
}

async function recordingUrl(token: string, callId: number): Promise<string | null> {
  const res = await call(server?.baseUrl ?? '', 'GET', `/api/v1/calls/${callId}`, { token });
  expect(res.status).toBe(200);
  return (res.body as { recording_url: string | null }).recording_url;
}

test('the running server sweeps the inbox on its own period and attaches a recording dropped after start', async () => {
  inboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inbox-sched-'));
  const { token, callId } = await prepare();
  server = await startServer(dataDir, {
    RECORDINGS_INBOX: inboxDir,
    RECORDINGS_INBOX_SWEEP_S: '1',
    RECORDINGS_INBOX_STABLE_S: '0',
  });
  expect(await recordingUrl(token, callId)).toBeNull();
  // Dropped after the server answers. A file is taken on the second sweep that finds it unchanged, and the
  // start-up sweep runs once: only the periodic sweep can take it.
  fs.writeFileSync(path.join(inboxDir, NAME), wav({ seconds: 2 }));
  const deadline = Date.now() + 60_000;
  let url: string | null = null;
  // Taken: the call has it, and then (once it is committed and in place) the folder's copy is removed.
  while (Date.now() < deadline && (url === null || fs.existsSync(path.join(inboxDir, NAME)))) {
    await sleep(250);
    url = await recordingUrl(token, callId);
  }
  expect(url).toBe(`/api/v1/calls/${callId}/recording`);
  expect(fs.existsSync(path.join(inboxDir, NAME))).toBe(false);
  const audio = await fetch(`${server.baseUrl}${url}`, { headers: { Authorization: `Bearer ${token}` } });
  expect(audio.status).toBe(200);
  expect(Buffer.from(await audio.arrayBuffer()).equals(wav({ seconds: 2 }))).toBe(true);
  expect(server.logs()).not.toMatch(/inbox sweep failed/);
});
