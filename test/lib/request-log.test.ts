import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../src/app';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn } from '../helpers/http';

// Issue 20: one concise line per request at info; headers only at debug.

let ctx: TestContext;
let org: Org;

beforeEach(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
});
afterEach(async () => ctx.close());

function capture(level: string) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const app = createApp({ ...ctx.deps, logger: pino({ level }, sink) });
  const entries = () =>
    lines
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { app, lines, entries };
}

describe('request log at info', () => {
  test('one short line per request with method, path, status, time, user id and request id', async () => {
    const { app, lines, entries } = capture('info');
    const agent = await signIn(app, org.supervisorA.username);
    lines.length = 0;
    await agent.get('/calls?page=2').set('X-Request-Id', 'trace-123');
    const all = entries();
    expect(all).toHaveLength(1);
    const line = all[0] ?? {};
    expect(line).toMatchObject({
      level: 30,
      method: 'GET',
      path: '/calls?page=2',
      status: 200,
      userId: org.supervisorA.id,
      reqId: 'trace-123',
    });
    expect(typeof line.ms).toBe('number');
    expect(line).not.toHaveProperty('req');
    expect(line).not.toHaveProperty('res');
    expect(line).not.toHaveProperty('reqHeaders');
    expect(lines.join('').length).toBeLessThan(400);
  });

  test('no header, cookie, or token appears; secrets in the query are redacted', async () => {
    const { app, lines } = capture('info');
    const agent = await signIn(app, org.supervisorA.username);
    await agent.get('/calls?token=s3cretvalue&password=hunter2&q=ok').set('User-Agent', 'UniqueAgent/9.9');
    await request(app).get('/api/v1/me').set('Authorization', 'Bearer abcdef0123456789secret');
    const log = lines.join('');
    expect(log).toContain('"path":"/calls?token=[Redacted]&password=[Redacted]&q=ok"');
    for (const secret of ['s3cretvalue', 'hunter2', 'abcdef0123456789secret', 'UniqueAgent', 'callscore.sid', 'cookie'])
      expect(log).not.toContain(secret);
    expect(log).toContain('"userId":null');
  });

  test('an unknown request id gets a fresh one, echoed in the response header', async () => {
    const { app, entries } = capture('info');
    const res = await request(app).get('/login').set('X-Request-Id', 'bad id with spaces');
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(entries()[0]?.reqId).toBe(id);
  });
});

test('at debug the line carries headers, with secrets redacted', async () => {
  const { app, lines } = capture('debug');
  const agent = await signIn(app, org.supervisorA.username);
  lines.length = 0;
  await agent.get('/calls').set('User-Agent', 'UniqueAgent/9.9');
  const log = lines.join('');
  expect(log).toContain('UniqueAgent/9.9');
  expect(log).toContain('"cookie":"[Redacted]"');
  expect(log).not.toMatch(/callscore\.sid=/);
});
