import fs from 'node:fs';
import request from 'supertest';
import { ImportJobs } from '../../src/imports/import-jobs';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { csrfFrom, signIn, type Agent } from '../helpers/http';
import {
  auditActions,
  eventually,
  GENERATED_FILE,
  NOT_AUDIO,
  sample,
  sha256,
  storageState,
  tokenFor,
  wav,
} from './fixtures';

let ctx: TestContext;
let org: Org;
let managerToken: string;

beforeEach(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  managerToken = await tokenFor(ctx.app, org.manager.username);
});
afterEach(async () => ctx.close());

const HEADER = 'external_id,agent,started_at,direction,category,queue_wait_s,hold_s,duration_s,csat';

function csv(...lines: string[]): string {
  return `${[HEADER, ...lines].join('\n')}\n`;
}

function importCsv(text: string, token = managerToken) {
  return request(ctx.app)
    .post('/api/v1/calls/import')
    .set('Authorization', `Bearer ${token}`)
    .set('Content-Type', 'text/csv')
    .send(text);
}

async function callsByExternalId() {
  const rows = await ctx.deps.db.selectFrom('calls').selectAll().orderBy('id').execute();
  return new Map(rows.map((r) => [r.external_id, r]));
}

type State = Awaited<ReturnType<typeof storageState>>;

async function expectNothingStored(before: State) {
  expect(await eventually(() => fs.readdirSync(ctx.deps.storage.stagingDir).length === 0)).toBe(true);
  expect(await storageState(ctx)).toEqual({ ...before, staged: [] });
}

describe('POST /api/v1/calls/import (ACD export, no audio)', () => {
  test('every good line lands with its fields, and the summary counts them', async () => {
    const text = csv(
      `acd-1,${org.csrA.username},2026-11-02T09:00:00Z,inbound,returns,12,0,43.7,5`,
      `acd-2,${org.csrB.username},2026-11-02T10:30:00+01:00,outbound,billing,0,25,120,`,
      `acd-3,${org.csrA2.username},2026-11-03 08:15:00Z,inbound,,8.5,3,61,2`,
    );
    const res = await importCsv(text);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ created: 3, unchanged: 0, errors: [] });

    const calls = await callsByExternalId();
    expect(calls.get('acd-1')).toMatchObject({
      source: 'default',
      agent_id: org.csrA.id,
      team_id: org.teamA,
      started_at: '2026-11-02T09:00:00.000Z',
      direction: 'inbound',
      category: 'returns',
      queue_wait_s: 12,
      hold_s: 0,
      duration_s: 43.7,
      csat: 5,
      abandoned: 0,
      recording_status: null,
      created_by: org.manager.id,
    });
    expect(calls.get('acd-2')).toMatchObject({
      agent_id: org.csrB.id,
      team_id: org.teamB,
      started_at: '2026-11-02T09:30:00.000Z',
      direction: 'outbound',
      hold_s: 25,
      csat: null,
    });
    expect(calls.get('acd-3')).toMatchObject({
      started_at: '2026-11-03T08:15:00.000Z',
      category: null,
      queue_wait_s: 8.5,
    });
    const audit = await auditActions(ctx, 'calls.imported');
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0].details!)).toEqual({ created: 3, unchanged: 0, errors: 0 });
  });

  test('importing the same CSV twice creates nothing the second time and counts every line unchanged', async () => {
    const text = csv(
      `twice-1,${org.csrA.username},2026-11-02T09:00:00Z,inbound,returns,12,0,43.7,5`,
      `twice-2,${org.csrB.username},2026-11-02T10:00:00Z,inbound,returns,3,0,50,4`,
    );
    expect((await importCsv(text)).body).toEqual({ created: 2, unchanged: 0, errors: [] });
    const before = await ctx.deps.db.selectFrom('calls').selectAll().orderBy('id').execute();

    const again = await importCsv(text);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ created: 0, unchanged: 2, errors: [] });
    expect(await ctx.deps.db.selectFrom('calls').selectAll().orderBy('id').execute()).toEqual(before);
  });

  test('a line for a call already stored is unchanged and does not overwrite it', async () => {
    await importCsv(csv(`keep-1,${org.csrA.username},2026-11-02T09:00:00Z,inbound,returns,12,0,43.7,5`));
    const res = await importCsv(csv(`keep-1,${org.csrB.username},2026-11-05T09:00:00Z,outbound,billing,1,1,999,1`));
    expect(res.body).toEqual({ created: 0, unchanged: 1, errors: [] });
    expect((await callsByExternalId()).get('keep-1')).toMatchObject({
      agent_id: org.csrA.id,
      duration_s: 43.7,
      category: 'returns',
    });
  });

  test('bad lines come back with their line number and reason while the good lines land', async () => {
    const a = org.csrA.username;
    const text = csv(
      `ok-1,${a},2026-11-02T09:00:00Z,inbound,returns,12,0,43.7,5`, // line 2
      `bad-date,${a},yesterday,inbound,returns,12,0,43.7,5`, // 3
      `bad-agent,nobody,2026-11-02T09:00:00Z,inbound,returns,12,0,43.7,5`, // 4
      `bad-wait,${a},2026-11-02T09:00:00Z,inbound,returns,-4,0,43.7,5`, // 5
      `bad-hold,${a},2026-11-02T09:00:00Z,inbound,returns,0,-1,43.7,5`, // 6
      `bad-csat,${a},2026-11-02T09:00:00Z,inbound,returns,0,0,43.7,9`, // 7
      `ok-1,${a},2026-11-03T09:00:00Z,inbound,returns,12,0,43.7,5`, // 8: duplicate of line 2
      `bad-direction,${a},2026-11-02T09:00:00Z,sideways,returns,0,0,43.7,5`, // 9
      `,${a},2026-11-02T09:00:00Z,inbound,returns,0,0,43.7,5`, // 10
      `bad-duration,${a},2026-11-02T09:00:00Z,inbound,returns,0,0,long,5`, // 11
      `ok-2,${org.csrA2.username},2026-11-04T09:00:00Z,outbound,billing,0,0,30,`, // 12
    );
    const res = await importCsv(text);
    expect(res.status).toBe(200);
    expect(res.body.created).toBe(2);
    expect(res.body.unchanged).toBe(0);
    expect(res.body.errors).toEqual([
      { line: 3, message: expect.stringContaining('ISO-8601') },
      { line: 4, message: 'No CSR named nobody in your teams.' },
      { line: 5, message: 'queue_wait_s cannot be negative.' },
      { line: 6, message: 'hold_s cannot be negative.' },
      { line: 7, message: 'csat must be from 1 to 5.' },
      { line: 8, message: 'Duplicate of line 2 (same external_id).' },
      { line: 9, message: 'direction must be inbound or outbound.' },
      { line: 10, message: 'external_id is required.' },
      { line: 11, message: 'duration_s must be a number of seconds.' },
    ]);
    const calls = await callsByExternalId();
    expect([...calls.keys()].sort()).toEqual(['ok-1', 'ok-2']);
    expect(calls.get('ok-1')!.started_at).toBe('2026-11-02T09:00:00.000Z');
  });

  test('a date that does not exist on the calendar is a line error, not a call on another day', async () => {
    const res = await importCsv(
      csv(
        `feb-30,${org.csrA.username},2026-02-30T09:00:00Z,inbound,returns,0,0,10,`,
        `apr-31,${org.csrA.username},2026-04-31T09:00:00Z,inbound,returns,0,0,10,`,
        `ok,${org.csrA.username},2026-02-28T09:00:00Z,inbound,returns,0,0,10,`,
      ),
    );
    expect(res.body.errors.map((e: { line: number }) => e.line)).toEqual([2, 3]);
    expect(res.body.created).toBe(1);
    expect([...(await callsByExternalId()).keys()]).toEqual(['ok']);
  });

  test('a bad line after a blank line is reported with its line number in the file', async () => {
    const text = [
      HEADER,
      `gap-1,${org.csrA.username},2026-11-02T09:00:00Z,inbound,returns,0,0,10,`,
      '',
      `gap-2,nobody,2026-11-02T09:00:00Z,inbound,returns,0,0,10,`,
    ].join('\n');
    const res = await importCsv(text);
    expect(res.body.created).toBe(1);
    expect(res.body.errors).toEqual([{ line: 4, message: 'No CSR named nobody in your teams.' }]);
  });

  test('an agent outside the manager’s departments is a line error and no call is made for them', async () => {
    const res = await importCsv(
      csv(
        `mine,${org.csrB.username},2026-11-02T09:00:00Z,inbound,returns,0,0,10,`,
        `theirs,${org.otherCsr.username},2026-11-02T09:00:00Z,inbound,returns,0,0,10,`,
      ),
    );
    expect(res.body).toEqual({
      created: 1,
      unchanged: 0,
      errors: [{ line: 3, message: `No CSR named ${org.otherCsr.username} in your teams.` }],
    });
    expect([...(await callsByExternalId()).keys()]).toEqual(['mine']);
  });

  test('an abandoned call needs no agent and is stored against its team', async () => {
    const text = `external_id,agent,started_at,direction,duration_s,queue_wait_s,abandoned,team_id\nab-1,,2026-11-02T09:00:00Z,inbound,0,140,true,${org.teamB}\n`;
    const res = await importCsv(text);
    expect(res.body).toEqual({ created: 1, unchanged: 0, errors: [] });
    expect((await callsByExternalId()).get('ab-1')).toMatchObject({
      agent_id: null,
      team_id: org.teamB,
      abandoned: 1,
      queue_wait_s: 140,
    });
  });

  test('a byte-order mark and upper-case header names are accepted', async () => {
    const text = `\uFEFFExternal_ID,Agent,Started_At,Direction,Duration_S\nbom-1,${org.csrA.username},2026-11-02T09:00:00Z,inbound,10\n`;
    const res = await importCsv(text);
    expect(res.body).toEqual({ created: 1, unchanged: 0, errors: [] });
  });

  test.each([
    ['started_at', 'external_id,agent,direction,duration_s\nx,csr,inbound,10\n', 'Missing column: started_at.'],
    ['several columns', 'external_id,agent\nx,csr\n', 'Missing columns: started_at, direction, duration_s.'],
  ])('a CSV missing %s is refused with 422 naming what is missing, and no line lands', async (_l, text, message) => {
    const res = await importCsv(text);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'validation_failed', message });
    expect((await storageState(ctx)).calls).toBe(0);
  });

  test.each([
    ['an empty body', ''],
    ['an unbalanced quote', `${HEADER}\n"broken,csr1,2026-11-02T09:00:00Z,inbound,,0,0,10,\n`],
  ])('%s is refused with 422 and a message, never a 500', async (_l, text) => {
    const res = await importCsv(text);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message.length).toBeGreaterThan(0);
    expect((await storageState(ctx)).calls).toBe(0);
  });

  test('a body that is not text/csv is refused with 415', async () => {
    const res = await request(ctx.app)
      .post('/api/v1/calls/import')
      .set('Authorization', `Bearer ${managerToken}`)
      .send({ csv: csv(`j-1,${org.csrA.username},2026-11-02T09:00:00Z,inbound,returns,0,0,10,`) });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
    expect((await storageState(ctx)).calls).toBe(0);
  });

  test.each([
    ['supervisor', () => org.supervisorA.username],
    ['CSR', () => org.csrA.username],
  ])('a %s may not import: 403 and nothing stored', async (_role, who) => {
    const token = await tokenFor(ctx.app, who());
    const res = await importCsv(csv(`no-1,${org.csrA.username},2026-11-02T09:00:00Z,inbound,returns,0,0,10,`), token);
    expect(res.status).toBe(403);
    expect((await storageState(ctx)).calls).toBe(0);
  });
});

describe('POST /calls/import (the page)', () => {
  async function postImport(agent: Agent, text: string | null) {
    const csrf = await csrfFrom(agent, '/profile');
    const req = agent.post('/calls/import').field('_csrf', csrf);
    if (text === null) return req.field('note', 'no file');
    return req.attach('csv', Buffer.from(text), { filename: 'export.csv', contentType: 'text/csv' });
  }

  /** Posts the CSV, follows the 303 to the import's own page once it has finished, and returns that page. */
  async function importAndFollow(agent: Agent, text: string) {
    const posted = await postImport(agent, text);
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toMatch(/^\/calls\/import\/[a-f0-9]{32}$/);
    await ctx.deps.imports.settled();
    return { location: posted.headers.location as string, page: await agent.get(posted.headers.location) };
  }

  test('the upload answers at once with the import’s page, which shows what was added and each refused line, escaped', async () => {
    const agent = await signIn(ctx.app, org.manager.username);
    const text = csv(
      `page-1,${org.csrA.username},2026-11-02T09:00:00Z,inbound,returns,0,0,10,`,
      `page-2,<b>boss</b>,2026-11-02T09:00:00Z,inbound,returns,0,0,10,`,
    );
    const { page: res } = await importAndFollow(agent, text);
    expect(res.status).toBe(200);
    expect(res.text).toContain('export.csv');
    expect(res.text).toMatch(
      /<strong>1<\/strong> call added, <strong>0<\/strong> already there, <strong>1<\/strong> line refused/,
    );
    expect(res.text).toContain('<td class="num">3</td><td>No CSR named &lt;b&gt;boss&lt;/b&gt; in your teams.</td>');
    expect(res.text).not.toContain('<b>boss</b>');
    expect(res.text).not.toContain('http-equiv="refresh"');
    expect([...(await callsByExternalId()).keys()]).toEqual(['page-1']);

    const { page: again } = await importAndFollow(agent, text);
    expect(again.text).toMatch(/<strong>0<\/strong> calls added, <strong>1<\/strong> already there/);
    await expectNothingStored({ recordings: [], staged: [], calls: 1 });
  });

  test.each([
    ['a column missing', 'external_id,agent,direction,duration_s\nx,y,inbound,1\n', 'Missing column: started_at.'],
    ['nothing in it', '\n\n', 'The CSV is empty.'],
    [
      'Latin-1 bytes',
      `${HEADER}\ngespr\xe4ch-1,csr,2026-11-02T09:00:00Z,inbound,returns,0,0,10,\n`,
      'The CSV is not UTF-8 text.',
    ],
  ])(
    'a CSV with %s is shown again with 422 and the message at once; nothing lands, nothing is kept',
    async (_l, text, message) => {
      const agent = await signIn(ctx.app, org.manager.username);
      const csrf = await csrfFrom(agent, '/profile');
      const res = await agent
        .post('/calls/import')
        .field('_csrf', csrf)
        .attach('csv', Buffer.from(text, 'latin1'), { filename: 'export.csv', contentType: 'text/csv' });
      expect(res.status).toBe(422);
      expect(res.text).toContain(message);
      await ctx.deps.imports.settled();
      await expectNothingStored({ recordings: [], staged: [], calls: 0 });
    },
  );

  test('a running import shows its progress, refreshes itself without JavaScript, and answers its progress as JSON', async () => {
    // Slow enough to look at mid-way: one line per transaction, 150 ms apart.
    ctx.deps.imports = new ImportJobs({ batchRows: 1, sliceMs: 0, pauseMs: 150 });
    const agent = await signIn(ctx.app, org.manager.username);
    const lines = Array.from(
      { length: 6 },
      (_, i) => `run-${i},${org.csrA.username},2026-11-02T09:00:00Z,inbound,returns,0,0,10,`,
    );
    const posted = await postImport(agent, csv(...lines));
    expect(posted.status).toBe(303);
    let progress = (await agent.get(`${posted.headers.location}/progress`)).body;
    for (let i = 0; i < 100 && progress.state !== 'writing'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      progress = (await agent.get(`${posted.headers.location}/progress`)).body;
    }
    expect(progress).toMatchObject({ state: 'writing', total: 6 });
    expect(progress.done).toBeLessThan(6);
    expect(progress.message).toMatch(/^Adding calls: \d of 6\.$/);
    const page = await agent.get(posted.headers.location);
    expect(page.text).toContain('<noscript><meta http-equiv="refresh" content="2"></noscript>');
    expect(page.text).toMatch(/<progress id="import-progress" max="100" value="\d+">/);
    expect(page.text).toContain('/static/js/import-progress.js');

    await ctx.deps.imports.settled();
    expect((await agent.get(`${posted.headers.location}/progress`)).body).toMatchObject({
      state: 'done',
      percent: 100,
      done: 6,
    });
    expect((await callsByExternalId()).size).toBe(6);
  });

  test('a file of many bad lines: the page counts them all and lists the first 500', async () => {
    const agent = await signIn(ctx.app, org.manager.username);
    const bad = Array.from(
      { length: 502 },
      (_, i) => `bad-${i},nobody.${i},2026-11-02T09:00:00Z,inbound,returns,0,0,10,`,
    );
    const { page } = await importAndFollow(
      agent,
      csv(`good-1,${org.csrA.username},2026-11-02T09:00:00Z,inbound,returns,0,0,10,`, ...bad),
    );
    expect(page.text).toMatch(
      /<strong>1<\/strong> call added, <strong>0<\/strong> already there, <strong>502<\/strong> lines refused/,
    );
    expect(
      page.text.match(/<td class="num">\d+<\/td><td>No CSR named nobody\.\d+ in your teams\.<\/td>/g),
    ).toHaveLength(500);
    expect(page.text).toContain('<td class="num">502</td><td>No CSR named nobody.499 in your teams.</td>');
    expect(page.text).toContain('… and 2 more.');
  });

  test('another manager, or a made-up id, gets 404 for someone’s import', async () => {
    const agent = await signIn(ctx.app, org.manager.username);
    const { location } = await importAndFollow(
      agent,
      csv(`own-1,${org.csrA.username},2026-11-02T09:00:00Z,inbound,returns,0,0,10,`),
    );
    const other = await signIn(ctx.app, org.otherManager.username);
    expect((await other.get(location)).status).toBe(404);
    expect((await other.get(`${location}/progress`)).status).toBe(404);
    expect((await agent.get('/calls/import/0123456789abcdef0123456789abcdef')).status).toBe(404);
    expect((await agent.get('/calls/import/not-an-id')).status).toBe(404);
  });

  test('a second import from the page while one runs: 409 with the form and the message, and its file is not kept', async () => {
    ctx.deps.imports = new ImportJobs({ batchRows: 1, sliceMs: 0, pauseMs: 100 });
    const agent = await signIn(ctx.app, org.manager.username);
    const lines = Array.from(
      { length: 5 },
      (_, i) => `first-${i},${org.csrA.username},2026-11-02T09:00:00Z,inbound,returns,0,0,10,`,
    );
    expect((await postImport(agent, csv(...lines))).status).toBe(303);
    const second = await postImport(
      agent,
      csv(`second-1,${org.csrA.username},2026-11-02T09:00:00Z,inbound,returns,0,0,10,`),
    );
    expect(second.status).toBe(409);
    expect(second.text).toMatch(
      /Another import is running \(started \d\d:\d\d UTC\)\. Try again when it has finished\./,
    );
    expect(second.text).toContain('<form method="post" action="/calls/import"');
    expect(second.text).not.toContain('_csrf=');
    await ctx.deps.imports.settled();
    await expectNothingStored({ recordings: [], staged: [], calls: 5 });
    expect((await callsByExternalId()).has('second-1')).toBe(false);
  });

  test('an import stopped by a shutdown keeps what it added and says how to finish it', async () => {
    ctx.deps.imports = new ImportJobs({ batchRows: 1, sliceMs: 0, pauseMs: 100 });
    const agent = await signIn(ctx.app, org.manager.username);
    const lines = Array.from(
      { length: 8 },
      (_, i) => `stop-${i},${org.csrA.username},2026-11-02T09:00:00Z,inbound,returns,0,0,10,`,
    );
    const posted = await postImport(agent, csv(...lines));
    expect(
      await eventually(
        async () =>
          ((await ctx.deps.imports.get(ctx.deps, posted.headers.location.split('/').pop()!, org.manager.id))?.done ??
            0) >= 2,
      ),
    ).toBe(true);
    await ctx.deps.imports.stop();
    const page = await agent.get(posted.headers.location);
    expect(page.text).toMatch(
      /The server is shutting down: the import stopped after adding \d of 8 calls\. Send the file again/,
    );
    const added = (await callsByExternalId()).size;
    expect(added).toBeGreaterThanOrEqual(2);
    expect(added).toBeLessThan(8);
    await expectNothingStored({ recordings: [], staged: [], calls: added });
    expect(await auditActions(ctx, 'calls.import_started')).toHaveLength(1);
  });

  test('a form without a file asks for one with 422', async () => {
    const agent = await signIn(ctx.app, org.manager.username);
    const res = await postImport(agent, null);
    expect(res.status).toBe(422);
    expect(res.text).toContain('Choose the CSV file with the calls.');
  });

  test('a supervisor cannot open or post the import page', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    expect((await agent.get('/calls/import')).status).toBe(403);
    const res = await postImport(agent, csv(`s-1,${org.csrA.username},2026-11-02T09:00:00Z,inbound,returns,0,0,10,`));
    expect(res.status).toBe(403);
    expect(await storageState(ctx)).toEqual({ recordings: [], staged: [], calls: 0 });
  });
});

describe('bulk upload: a CSV with its recordings', () => {
  const BULK_HEADER = `${HEADER},recording`;

  function bulkCsv(...lines: string[]): Buffer {
    return Buffer.from(`${[BULK_HEADER, ...lines].join('\n')}\n`);
  }

  interface BulkFile {
    name: string;
    bytes: Buffer;
  }

  async function postBulk(
    agent: Agent,
    csvBytes: Buffer | null,
    files: BulkFile[],
    opts: { mode?: string; json?: boolean; path?: string } = {},
  ) {
    const csrf = await csrfFrom(agent, '/profile');
    let req = agent.post(opts.path ?? '/calls/bulk').field('_csrf', csrf);
    if (opts.json !== false) req = req.set('Accept', 'application/json');
    if (opts.mode) req = req.field('mode', opts.mode);
    if (csvBytes) req = req.attach('csv', csvBytes, { filename: 'calls.csv', contentType: 'text/csv' });
    for (const file of files)
      req = req.attach('recordings', file.bytes, { filename: file.name, contentType: 'audio/wav' });
    return req;
  }

  const good = () => ({ name: 'call-good-returns.wav', bytes: sample('call-good-returns.wav') });
  const hold = () => ({ name: 'call-long-hold.wav', bytes: sample('call-long-hold.wav') });

  function lines() {
    const a = org.csrA.username;
    return [
      `b-1,${a},2026-11-02T09:00:00Z,inbound,returns,12,0,43.7,5,call-good-returns.wav`, // 2
      `b-2,${a},2026-11-05T12:15:00Z,inbound,billing,95,25,54.4,2,call-long-hold.wav`, // 3
      `b-3,${a},2026-11-06T12:15:00Z,inbound,billing,5,0,30,,`, // 4: no recording
      `b-4,${a},2026-11-07T12:15:00Z,inbound,billing,5,0,30,,not-sent.wav`, // 5: file not uploaded
    ];
  }

  test('the dry run lists each line with the file it expects and its problem, and stores nothing', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const text = bulkCsv(...lines(), `b-5,${org.otherCsr.username},2026-11-07T12:15:00Z,inbound,billing,5,0,30,,x.wav`);
    const res = await postBulk(agent, text, [], { path: '/calls/bulk/check' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      rows: [
        { line: 2, external_id: 'b-1', recording: 'call-good-returns.wav', transcript: null, error: null },
        { line: 3, external_id: 'b-2', recording: 'call-long-hold.wav', transcript: null, error: null },
        { line: 4, external_id: 'b-3', recording: null, transcript: null, error: null },
        { line: 5, external_id: 'b-4', recording: 'not-sent.wav', transcript: null, error: null },
        {
          line: 6,
          external_id: 'b-5',
          recording: 'x.wav',
          transcript: null,
          error: `No CSR named ${org.otherCsr.username} in your teams.`,
        },
      ],
    });
    await expectNothingStored({ recordings: [], staged: [], calls: 0 });
  });

  test('a bulk CSV over 10,000 lines is refused with 422, pointing to the import; 10,000 are accepted', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const many = (n: number) =>
      bulkCsv(
        ...Array.from(
          { length: n },
          (_, i) => `many-${i},${org.csrA.username},2026-11-02T09:00:00Z,inbound,billing,5,0,30,,`,
        ),
      );
    const over = await postBulk(agent, many(10_001), [], { path: '/calls/bulk/check' });
    expect(over.status).toBe(422);
    expect(over.body.error.message).toBe(
      'At most 10,000 lines per bulk upload. Split the file, or add call records without their recordings with Import call records.',
    );
    const upload = await postBulk(agent, many(10_001), [good()], { mode: 'given_files' });
    expect(upload.status).toBe(422);
    await expectNothingStored({ recordings: [], staged: [], calls: 0 });
    const limit = await postBulk(agent, many(10_000), [], { path: '/calls/bulk/check' });
    expect(limit.status).toBe(200);
    expect(limit.body.rows).toHaveLength(10_000);
  });

  test('mode "all" stores every line, each with the file its recording column names', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const res = await postBulk(agent, bulkCsv(...lines()), [good(), hold()]);
    expect(res.status).toBe(200);
    expect(res.body.outcomes.map((o: { line: number; status: string }) => [o.line, o.status])).toEqual([
      [2, 'created'],
      [3, 'created'],
      [4, 'created'],
      [5, 'refused'],
    ]);
    expect(res.body.outcomes[3].message).toBe('not-sent.wav was not among the uploaded files.');
    const calls = await callsByExternalId();
    expect([...calls.keys()]).toEqual(['b-1', 'b-2', 'b-3']);
    expect(calls.get('b-1')).toMatchObject({
      recording_sha256: sha256(good().bytes),
      recording_original_name: 'call-good-returns.wav',
    });
    expect(calls.get('b-2')).toMatchObject({ recording_sha256: sha256(hold().bytes), hold_s: 25 });
    expect(calls.get('b-3')!.recording_status).toBeNull();
    expect(await eventually(() => fs.readdirSync(ctx.deps.storage.stagingDir).length === 0)).toBe(true);
    const state = await storageState(ctx);
    expect(state.recordings).toEqual([calls.get('b-1')!.recording_file, calls.get('b-2')!.recording_file].sort());
    expect(state.recordings.every((f) => GENERATED_FILE.test(f))).toBe(true);
  });

  test('sending the same bulk upload again stores nothing more', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    await postBulk(agent, bulkCsv(...lines().slice(0, 3)), [good(), hold()]);
    const before = await storageState(ctx);
    const res = await postBulk(agent, bulkCsv(...lines().slice(0, 3)), [good(), hold()]);
    expect(res.body.outcomes.map((o: { status: string }) => o.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    await expectNothingStored(before);
  });

  test('mode "given_files" handles only the lines whose file came with the request', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const res = await postBulk(agent, bulkCsv(...lines()), [hold()], { mode: 'given_files' });
    expect(res.body.outcomes).toEqual([
      expect.objectContaining({ line: 3, file: 'call-long-hold.wav', external_id: 'b-2', status: 'created' }),
    ]);
    expect([...(await callsByExternalId()).keys()]).toEqual(['b-2']);
  });

  test('mode "no_recording" handles only the lines without a recording and ignores files', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const res = await postBulk(agent, bulkCsv(...lines()), [], { mode: 'no_recording' });
    expect(res.body.outcomes).toEqual([expect.objectContaining({ line: 4, external_id: 'b-3', status: 'created' })]);
    expect([...(await callsByExternalId()).keys()]).toEqual(['b-3']);
    expect((await storageState(ctx)).recordings).toEqual([]);
  });

  test('a file that is not audio is refused on its line while the others land, and is not kept', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const a = org.csrA.username;
    const res = await postBulk(
      agent,
      bulkCsv(
        `ok-1,${a},2026-11-02T09:00:00Z,inbound,returns,0,0,1,,tone.wav`,
        `bad-1,${a},2026-11-02T10:00:00Z,inbound,returns,0,0,1,,page.wav`,
        `bad-2,${a},2026-11-02T11:00:00Z,inbound,returns,0,0,1,,cut.wav`,
      ),
      [
        { name: 'tone.wav', bytes: wav() },
        { name: 'page.wav', bytes: NOT_AUDIO.HTML },
        { name: 'cut.wav', bytes: sample('call-no-greeting.wav').subarray(0, 5000) },
      ],
    );
    expect(res.body.outcomes.map((o: { status: string }) => o.status)).toEqual(['created', 'refused', 'refused']);
    expect(res.body.outcomes[1].message).toContain('not a supported audio file');
    expect(res.body.outcomes[2].message).toContain('cut short');
    const calls = await callsByExternalId();
    expect([...calls.keys()]).toEqual(['ok-1']);
    expect(await eventually(() => fs.readdirSync(ctx.deps.storage.stagingDir).length === 0)).toBe(true);
    expect((await storageState(ctx)).recordings).toEqual([calls.get('ok-1')!.recording_file]);
  });

  test('two lines naming the same file: the second is refused, the file is stored once', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const a = org.csrA.username;
    const res = await postBulk(
      agent,
      bulkCsv(
        `same-1,${a},2026-11-02T09:00:00Z,inbound,returns,0,0,1,,tone.wav`,
        `same-2,${a},2026-11-02T10:00:00Z,inbound,returns,0,0,1,,tone.wav`,
      ),
      [{ name: 'tone.wav', bytes: wav() }],
    );
    expect(res.body.outcomes.map((o: { status: string }) => o.status)).toEqual(['created', 'refused']);
    expect(res.body.outcomes[1].message).toBe('tone.wav is already the recording of line 2.');
    expect((await storageState(ctx)).recordings).toHaveLength(1);
  });

  test('the results page lists a file no line names as refused, its name escaped, and keeps nothing of it', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const res = await postBulk(
      agent,
      bulkCsv(`named-1,${org.csrA.username},2026-11-02T09:00:00Z,inbound,returns,0,0,1,,tone.wav`),
      [
        { name: 'tone.wav', bytes: wav() },
        { name: '<img src=x onerror=alert(1)>.wav', bytes: wav() },
      ],
      { json: false },
    );
    expect(res.status).toBe(200);
    expect(res.text).toMatch(
      /<strong>1<\/strong> stored, <strong>0<\/strong> already there, <strong>1<\/strong> refused/,
    );
    expect(res.text).toContain('<td>&lt;img src=x onerror=alert(1)&gt;.wav</td>');
    expect(res.text).not.toContain('<img src=x');
    expect(res.text).toContain('No line of the CSV names this file in its recording or transcript column.');
    expect(await eventually(() => fs.readdirSync(ctx.deps.storage.stagingDir).length === 0)).toBe(true);
    expect((await storageState(ctx)).recordings).toHaveLength(1);
  });

  test('a recording whose name is not ASCII is matched to its CSV line', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const res = await postBulk(
      agent,
      bulkCsv(`utf-1,${org.csrA.username},2026-11-02T09:00:00Z,inbound,returns,0,0,1,,Gespräch Müller.wav`),
      [{ name: 'Gespräch Müller.wav', bytes: wav() }],
    );
    expect(res.body.outcomes).toEqual([expect.objectContaining({ line: 2, status: 'created' })]);
  });

  test('a bulk CSV missing a column is refused with 422 and none of the uploaded recordings is kept', async () => {
    const agent = await signIn(ctx.app, org.supervisorA.username);
    const res = await postBulk(
      agent,
      Buffer.from('external_id,agent,recording\nx,y,call-good-returns.wav\n'),
      [good()],
      {
        json: false,
      },
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('Missing columns: started_at, direction, duration_s.');
    await expectNothingStored({ recordings: [], staged: [], calls: 0 });
  });

  test('a CSR may not bulk upload: 403 and nothing kept', async () => {
    const agent = await signIn(ctx.app, org.csrA.username);
    const res = await postBulk(agent, bulkCsv(...lines()), [good()]);
    expect(res.status).toBe(403);
    await expectNothingStored({ recordings: [], staged: [], calls: 0 });
  });
});
