import request from 'supertest';
import { buildUser, PASSWORD } from '../helpers/builders';
import { makeTestApp, type TestContext } from '../helpers/app';
import { csrfFrom } from '../helpers/http';
import { ADDRESS_MAX_FAILURES, LoginThrottle, MAX_WAIT_MS } from '../../src/auth/throttle';

// Sign-in throttle (issue 14, item 5): per username with growing waits, per address only for failures.

let ctx: TestContext;

beforeEach(() => {
  // TRUST_PROXY so a test can speak from several addresses through X-Forwarded-For.
  ctx = makeTestApp({ TRUST_PROXY: 'true' });
});
afterEach(async () => ctx.close());

async function tryLogin(username: string, password: string, from = '203.0.113.7', app = ctx.app) {
  const agent = request.agent(app);
  const csrf = await csrfFrom(agent, '/login');
  const res = await agent
    .post('/login')
    .set('X-Forwarded-For', from)
    .type('form')
    .send({ _csrf: csrf, username, password });
  return { status: res.status, retryAfter: res.headers['retry-after'] as string | undefined, text: res.text };
}

async function failTimes(n: number, username: (i: number) => string, from?: string) {
  for (let i = 0; i < n; i += 1) expect((await tryLogin(username(i), 'wrong password!', from)).status).toBe(401);
}

describe('per-username throttle', () => {
  test('five failures make the next try wait 1 s, even with the right password (429, Retry-After, when)', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    await failTimes(5, () => 'ada');
    const res = await tryLogin('ada', PASSWORD);
    expect(res.status).toBe(429);
    expect(res.retryAfter).toBe('1');
    expect(res.text).toContain('Too many failed sign-in attempts for this username. Try again in 1 second.');
    ctx.clock.advance(1000);
    expect((await tryLogin('ada', PASSWORD)).status).toBe(303);
  });

  test('each further failure doubles the wait (1, 2, 4 … s) up to 15 minutes', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    await failTimes(5, () => 'ada');
    const waits: number[] = [];
    for (let i = 0; i < 13; i += 1) {
      const blocked = await tryLogin('ada', PASSWORD);
      expect(blocked.status).toBe(429);
      const wait = Number(blocked.retryAfter);
      waits.push(wait);
      ctx.clock.advance(wait * 1000 - 1);
      expect((await tryLogin('ada', 'wrong password!')).status).toBe(429);
      ctx.clock.advance(1);
      expect((await tryLogin('ada', 'wrong password!')).status).toBe(401);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]);
    expect(MAX_WAIT_MS).toBe(900_000);
    const last = await tryLogin('ada', PASSWORD);
    expect(last.text).toContain('Try again in 15 minutes.');
  });

  test('a success resets the count: five more failures are answered 401 again', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    await failTimes(5, () => 'ada');
    expect((await tryLogin('ada', PASSWORD)).status).toBe(429);
    ctx.clock.advance(1000);
    expect((await tryLogin('ada', PASSWORD)).status).toBe(303);
    await failTimes(5, () => 'ada');
    expect((await tryLogin('ada', PASSWORD)).status).toBe(429);
  });

  test('the wait survives a restart', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    await failTimes(5, () => 'ada');
    const restarted = ctx.restart();
    try {
      expect((await tryLogin('ada', PASSWORD, undefined, restarted.app)).status).toBe(429);
      ctx.clock.advance(1000);
      expect((await tryLogin('ada', PASSWORD, undefined, restarted.app)).status).toBe(303);
    } finally {
      await restarted.close();
    }
  });

  test('an unknown username gets exactly the answers a real one gets (no enumeration)', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    const answers = async (username: string, from: string) => {
      const seen: Array<[number, string | undefined, string]> = [];
      for (let i = 0; i < 8; i += 1) {
        const res = await tryLogin(username, 'wrong password!', from);
        seen.push([res.status, res.retryAfter, /<p[^>]*role="alert"[^>]*>([^<]*)</.exec(res.text)?.[1] ?? res.text]);
      }
      return seen;
    };
    const real = await answers('ada', '198.51.100.1');
    const unknown = await answers('nobody', '198.51.100.2');
    expect(real.map(([status]) => status)).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    expect(unknown).toEqual(real);
  });
});

describe('per-address limit', () => {
  test('60 failures from one address, then the admin signs in with the right password', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'admin' });
    await buildUser(ctx.deps, 'supervisor', { username: 'carla' });
    await failTimes(ADDRESS_MAX_FAILURES, (i) => (i < 3 ? 'admin' : i < 6 ? 'carla' : `guess${i}`));
    for (let i = ADDRESS_MAX_FAILURES; i < 60; i += 1) {
      expect((await tryLogin(`guess${i}`, 'wrong password!')).status).toBe(429);
    }
    expect((await tryLogin('admin', PASSWORD)).status).toBe(303);
  });

  test('unknown usernames from one address are slowed (429) and so is a wrong password, alike', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    await failTimes(ADDRESS_MAX_FAILURES, (i) => `nobody${i}`);
    const unknown = await tryLogin('nobody-else', 'wrong password!');
    expect(unknown.status).toBe(429);
    expect(unknown.text).toContain('Too many failed sign-in attempts from your network. Try again in 15 minutes.');
    expect(Number(unknown.retryAfter)).toBeGreaterThan(0);
    const wrong = await tryLogin('ada', 'wrong password!');
    expect([wrong.status, wrong.retryAfter]).toEqual([429, unknown.retryAfter]);
    // Another address is not affected, and the limit lifts after its window.
    expect((await tryLogin('nobody-else', 'wrong password!', '198.51.100.9')).status).toBe(401);
    ctx.clock.advance(15 * 60_000);
    expect((await tryLogin('nobody-else', 'wrong password!')).status).toBe(401);
  });

  test('a username in its own wait is still refused from an address over its limit', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    await failTimes(5, () => 'ada');
    await failTimes(ADDRESS_MAX_FAILURES - 5, (i) => `nobody${i}`);
    expect((await tryLogin('nobody-else', 'wrong password!')).status).toBe(429);
    expect((await tryLogin('ada', PASSWORD)).status).toBe(429);
    ctx.clock.advance(1000);
    expect((await tryLogin('ada', PASSWORD)).status).toBe(303);
  });
});

describe('state stays bounded', () => {
  test('rows idle for a day are forgotten, and the table keeps at most its cap', async () => {
    const throttle = new LoginThrottle(ctx.deps.db, ctx.clock, { maxRows: 10 });
    for (let i = 0; i < 20; i += 1) {
      await throttle.recordFailure(`name${i}`, `192.0.2.${i}`);
      ctx.clock.advance(61_000);
    }
    const rows = await ctx.deps.db.selectFrom('login_throttle').select('key').execute();
    expect(rows.length).toBeLessThanOrEqual(10);
    expect(rows.map((r) => r.key)).toContain('account:name19');
    ctx.clock.advance(25 * 60 * 60_000);
    await throttle.recordFailure('late', '192.0.2.200');
    const left = await ctx.deps.db.selectFrom('login_throttle').select('key').execute();
    expect(left.map((r) => r.key).sort()).toEqual(['account:late', 'ip:192.0.2.200']);
  });
});
