import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { csrfFrom, signIn, type Agent } from '../helpers/http';
import { callFields, sample, storageState } from '../calls/fixtures';

// CSRF on uploads without a token in any URL (issue 14, item 7).

let ctx: TestContext;
let org: Org;
let agent: Agent;
let csrf: string;

beforeEach(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  agent = await signIn(ctx.app, org.supervisorA.username);
  csrf = await csrfFrom(agent, '/calls/new');
});
afterEach(async () => ctx.close());

/** Names of files created in the staging folder while `work` runs: proof that no byte was written. */
async function stagedDuring<T>(work: () => Promise<T>): Promise<{ result: T; created: string[] }> {
  const created: string[] = [];
  const watcher = fs.watch(ctx.deps.storage.stagingDir, (_event, name) => {
    if (name) created.push(name);
  });
  try {
    const result = await work();
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { result, created };
  } finally {
    watcher.close();
  }
}

type Part = ['field', string, string] | ['file', string];

function postCall(parts: Part[], url = '/calls', headers: Record<string, string> = {}) {
  let req = agent.post(url).set(headers);
  for (const part of parts) {
    if (part[0] === 'field') req = req.field(part[1], part[2]);
    else req = req.attach(part[1], sample('call-good-returns.wav'), { filename: 'c.wav', contentType: 'audio/wav' });
  }
  return req;
}

const fieldsOf = (externalId: string): Part[] =>
  Object.entries(callFields(org.csrA.username, { external_id: externalId })).map(
    ([name, value]) => ['field', name, value] as Part,
  );

async function expectRefusedWithNothingWritten(parts: Part[], url?: string, headers?: Record<string, string>) {
  const before = await storageState(ctx);
  const { result, created } = await stagedDuring(() => postCall(parts, url, headers));
  expect(result.status).toBe(403);
  expect(result.text).toContain('The form expired or was sent from elsewhere');
  expect(created).toEqual([]);
  expect(await storageState(ctx)).toEqual(before);
}

describe('multipart forms carry the CSRF token as their first field', () => {
  test('without a token: 403, and no byte of the file reached the staging folder', async () => {
    await expectRefusedWithNothingWritten([...fieldsOf('no-token'), ['file', 'recording']]);
  });

  test('with the token as the first field: the call is stored', async () => {
    const { result: res, created } = await stagedDuring(() =>
      postCall([['field', '_csrf', csrf], ...fieldsOf('token-first'), ['file', 'recording']]),
    );
    expect(res.status).toBe(303);
    expect(created.length).toBeGreaterThan(0); // the watcher sees a staged upload
    expect(res.headers.location).toMatch(/^\/calls\/\d+$/);
    expect((await storageState(ctx)).calls).toBe(1);
  });

  test('with the token after the file: 403 before the file is written', async () => {
    await expectRefusedWithNothingWritten([...fieldsOf('late'), ['file', 'recording'], ['field', '_csrf', csrf]]);
  });

  test('with the token only in the URL: 403', async () => {
    await expectRefusedWithNothingWritten(
      [...fieldsOf('in-url'), ['file', 'recording']],
      `/calls?_csrf=${encodeURIComponent(csrf)}`,
    );
  });

  test('with a wrong token first: 403', async () => {
    await expectRefusedWithNothingWritten([
      ['field', '_csrf', 'f'.repeat(128)],
      ['file', 'recording'],
    ]);
  });

  test('a script may send the token in the X-CSRF-Token header instead', async () => {
    const res = await postCall([...fieldsOf('header'), ['file', 'recording']], '/calls', { 'X-CSRF-Token': csrf });
    expect(res.status).toBe(303);
  });

  test('a body that ends inside its first field is a 403, not a hang', async () => {
    const boundary = 'xyz';
    const res = await agent
      .post('/calls')
      .set('Content-Type', `multipart/form-data; boundary=${boundary}`)
      .send(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf.slice(0, 10)}`);
    expect(res.status).toBe(403);
  });

  test.each([
    ['Sec-Fetch-Site: cross-site', { 'Sec-Fetch-Site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'Sec-Fetch-Site': 'same-site' }],
    ['an Origin of another site', { Origin: 'https://evil.example' }],
    ['a Referer of another site', { Referer: 'https://evil.example/form.html' }],
    ['Origin: null', { Origin: 'null' }],
  ])('sent from another site (%s), even with the token: 403', async (_label, headers) => {
    await expectRefusedWithNothingWritten(
      [
        ['field', '_csrf', csrf],
        ['file', 'recording'],
      ],
      '/calls',
      { ...headers, 'X-CSRF-Token': csrf },
    );
  });

  test('from the same origin as the browser says it: accepted', async () => {
    const res = await postCall([['field', '_csrf', csrf], ...fieldsOf('same'), ['file', 'recording']], '/calls', {
      'Sec-Fetch-Site': 'same-origin',
      Origin: 'http://evil-looking-proxy-host.example',
    });
    expect(res.status).toBe(303);
  });

  test('an ordinary form from another site is refused too', async () => {
    const res = await agent.post('/logout').set('Sec-Fetch-Site', 'cross-site').type('form').send({ _csrf: csrf });
    expect(res.status).toBe(403);
    expect((await agent.get('/calls')).status).toBe(200);
  });

  test('after a validation error the page posts to a URL without a token', async () => {
    const res = await postCall([
      ['field', '_csrf', csrf],
      ...fieldsOf('bad').map((p): Part => (p[1] === 'started_at' ? ['field', 'started_at', 'yesterday'] : p)),
      ['file', 'recording'],
    ]);
    expect(res.status).toBe(422);
    expect(res.text).toContain('<form method="post" action="/calls" enctype="multipart/form-data"');
    expect(res.text).not.toContain('_csrf=');
    expect(res.text.indexOf('name="_csrf"')).toBeLessThan(res.text.indexOf('name="external_id"'));
  });
});

describe('no token in any URL or log', () => {
  test('no view or script puts _csrf in a URL', () => {
    const root = path.join(__dirname, '..', '..');
    const files = [
      ...fs.readdirSync(path.join(root, 'views'), { recursive: true, encoding: 'utf8' }).map((f) => `views/${f}`),
      ...fs.readdirSync(path.join(root, 'static/js'), { encoding: 'utf8' }).map((f) => `static/js/${f}`),
    ].filter((f) => /\.(ejs|js)$/.test(f));
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.filter((f) => /_csrf=/.test(fs.readFileSync(path.join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  test('request logs hold no CSRF token, cookie or bearer token', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = createApp({ ...ctx.deps, logger: pino({ level: 'info' }, sink) });
    const logged = request.agent(app);
    const token = await csrfFrom(logged, '/login');
    const cookie = /callscore\.sid=([^;]+)/.exec(String((await logged.get('/login')).headers['set-cookie']));
    await logged.get(`/login?_csrf=${token}&next=%2F`);
    await logged.post(`/calls?_csrf=${token}`).field('x', '1');
    await logged.post('/logout').set('X-CSRF-Token', token).type('form').send({});
    await request(app).get('/api/v1/me').set('Authorization', 'Bearer abcdef0123456789secret');
    const log = lines.join('');
    expect(log).toContain('/login?_csrf=[Redacted]&next=%2F');
    expect(log).toContain('"path":"/calls?_csrf=[Redacted]"');
    expect(log).not.toContain(token);
    expect(log).not.toContain('abcdef0123456789secret');
    if (cookie?.[1]) expect(log).not.toContain(cookie[1]);
  });
});
