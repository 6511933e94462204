import request from 'supertest';
import { ImportJobs } from '../../src/imports/import-jobs';
import { insertImportJob } from '../../src/imports/import-jobs.queries';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { csrfFrom, signIn, type Agent } from '../helpers/http';
import { tokenFor } from '../helpers/scoring';

// Import jobs live in the database (issue 17): a second app on the same database (another process behind the
// load balancer) answers the progress of an import the first one runs, refuses a second import while it runs,
// and shows a job whose process died as failed, saying what was saved.

let first: TestContext;
let second: TestContext;
let org: Org;

beforeEach(async () => {
  first = makeTestApp();
  org = await buildOrg(first.deps);
  second = first.restart();
});
afterEach(async () => {
  await second.close();
  await first.close();
});

const HEADER = 'external_id,agent,started_at,direction,category,queue_wait_s,hold_s,duration_s,csat';

async function postImport(agent: Agent, lines: string[]) {
  const csrf = await csrfFrom(agent, '/profile');
  return agent
    .post('/calls/import')
    .field('_csrf', csrf)
    .attach('csv', Buffer.from(`${[HEADER, ...lines].join('\n')}\n`), {
      filename: 'export.csv',
      contentType: 'text/csv',
    });
}

const lines = (prefix: string, n: number, agent: string) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${i},${agent},2026-11-02T09:00:00Z,inbound,returns,0,0,10,`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('the second app answers the progress of an import the first runs, then its outcome; and refuses another import meanwhile', async () => {
  first.deps.imports = new ImportJobs({ batchRows: 1, sliceMs: 0, pauseMs: 150 });
  const starter = await signIn(first.app, org.manager.username);
  const watcher = await signIn(second.app, org.manager.username);
  const posted = await postImport(starter, lines('two', 6, org.csrA.username));
  expect(posted.status).toBe(303);
  const url = posted.headers.location as string;

  let progress = (await watcher.get(`${url}/progress`)).body;
  for (let i = 0; i < 200 && !(progress.state === 'writing' && progress.done >= 1); i += 1) {
    await sleep(10);
    progress = (await watcher.get(`${url}/progress`)).body;
  }
  expect(progress).toMatchObject({ state: 'writing', total: 6 });
  expect(progress.done).toBeGreaterThanOrEqual(1);
  expect(progress.done).toBeLessThan(6);
  expect(progress.message).toMatch(/^Adding calls: \d of 6\.$/);

  // One import at a time across processes: the second app sees the first's import as running.
  const refused = await postImport(watcher, lines('other', 1, org.csrA.username));
  expect(refused.status).toBe(409);
  expect(refused.text).toMatch(/Another import is running \(started \d\d:\d\d UTC\)/);

  await first.deps.imports.settled();
  expect((await watcher.get(`${url}/progress`)).body).toMatchObject({ state: 'done', percent: 100, done: 6 });
  const page = await watcher.get(url);
  expect(page.text).toMatch(/<strong>6<\/strong> calls added, <strong>0<\/strong> already there/);
  // Another manager gets 404 from either app.
  const other = await signIn(second.app, org.otherManager.username);
  expect((await other.get(`${url}/progress`)).status).toBe(404);
});

test('a job whose process died (its lease ran out mid-write) is shown failed with what was saved, and does not block the next import', async () => {
  const id = 'ab'.repeat(16);
  const startedAt = first.clock.now().toISOString();
  // What a killed process leaves: still "writing", 3 of 8 written, its lease renewed last 40 s ago.
  await insertImportJob(first.deps.db, {
    id,
    owner_id: org.manager.id,
    file_name: 'big.csv',
    state: 'writing',
    file_bytes: 1000,
    checked_bytes: 1000,
    done: 3,
    total: 8,
    summary: null,
    refused_count: 0,
    error: null,
    started_at: startedAt,
    finished_at: null,
    holder: 'a-dead-process',
    lease_until: new Date(first.clock.now().getTime() + 30_000).toISOString(),
  });
  const agent = await signIn(second.app, org.manager.username);
  // While its lease holds, it is running, and another import is refused.
  expect((await agent.get(`/calls/import/${id}/progress`)).body).toMatchObject({ state: 'writing', done: 3 });
  expect((await postImport(agent, lines('blocked', 1, org.csrA.username))).status).toBe(409);

  first.clock.advance(40_000);
  const progress = (await agent.get(`/calls/import/${id}/progress`)).body;
  expect(progress).toMatchObject({ state: 'failed', message: 'Import failed.' });
  const page = await agent.get(`/calls/import/${id}`);
  expect(page.text).toContain(
    'The server restarted during the import: the first 3 of 8 calls of the file were saved (perhaps a few more, ' +
      'from its last transaction), and nothing after them. Import the file again to add the rest; calls already ' +
      'saved are recognised and not added twice.',
  );
  expect(page.text).not.toContain('http-equiv="refresh"');

  const next = await postImport(agent, lines('next', 2, org.csrA.username));
  expect(next.status).toBe(303);
  await second.deps.imports.settled();
  expect((await agent.get(`${next.headers.location}/progress`)).body).toMatchObject({ state: 'done', done: 2 });
});

test('a job that died while its file was being checked says nothing was added', async () => {
  const id = 'cd'.repeat(16);
  await insertImportJob(first.deps.db, {
    id,
    owner_id: org.manager.id,
    file_name: 'big.csv',
    state: 'checking',
    file_bytes: 1000,
    checked_bytes: 400,
    done: 0,
    total: 0,
    summary: null,
    refused_count: 0,
    error: null,
    started_at: first.clock.now().toISOString(),
    finished_at: null,
    holder: 'a-dead-process',
    lease_until: new Date(first.clock.now().getTime() - 1).toISOString(),
  });
  const agent = await signIn(first.app, org.manager.username);
  const page = await agent.get(`/calls/import/${id}`);
  expect(page.text).toContain(
    'The server restarted during the import, before any call was added. Import the file again.',
  );
});

test('an API import on one app refuses one on the other while it runs; a killed holder frees the slot when its lease runs out', async () => {
  const token = await tokenFor(second.deps, org.manager);
  const apiImport = (ctx: TestContext, id: string) =>
    request(ctx.app)
      .post('/api/v1/calls/import')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'text/csv')
      .send(`${HEADER}\n${lines(id, 1, org.csrA.username).join('\n')}\n`);

  // The first app's slot is taken (an import under way there): the second refuses both kinds of import.
  const release = await first.deps.imports.acquire(first.deps);
  const refused = await apiImport(second, 'api-b');
  expect(refused.status).toBe(409);
  expect(refused.body.error.code).toBe('import_running');
  expect(refused.body.error.message).toMatch(/^Another import is running \(started \d\d:\d\d UTC\)\./);
  const page = await postImport(await signIn(second.app, org.manager.username), lines('page-b', 1, org.csrA.username));
  expect(page.status).toBe(409);
  await release();
  expect((await apiImport(second, 'api-b')).body).toMatchObject({ created: 1 });
  expect((await apiImport(first, 'api-a')).body).toMatchObject({ created: 1 });

  // A process killed while holding the slot renews it no more: refused until its lease runs out, then free.
  const dead = new ImportJobs();
  const killed = await dead.acquire(first.deps);
  expect((await apiImport(second, 'api-c')).status).toBe(409);
  first.clock.advance(40_000);
  expect((await apiImport(second, 'api-c')).body).toMatchObject({ created: 1 });
  await killed(); // stops its renewal; the slot is no longer its to give back
});
