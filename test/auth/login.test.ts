import request from 'supertest';
import { buildUser, PASSWORD } from '../helpers/builders';
import { makeTestApp, type TestContext } from '../helpers/app';
import { csrfFrom, sessionCookie, signIn } from '../helpers/http';

let ctx: TestContext;

beforeEach(() => {
  ctx = makeTestApp();
});
afterEach(async () => ctx.close());

async function tryLogin(username: string, password: string, app = ctx.app) {
  const agent = request.agent(app);
  const csrf = await csrfFrom(agent, '/login');
  const res = await agent.post('/login').type('form').send({ _csrf: csrf, username, password });
  return { agent, res };
}

describe('login', () => {
  test('right password signs in and lands on the home page', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    const { agent, res } = await tryLogin('ada', PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    const home = await agent.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Administration');
  });

  test('unknown user and wrong password get the same message and status', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    const wrong = await tryLogin('ada', 'not the password');
    const unknown = await tryLogin('nobody', 'not the password');
    expect(wrong.res.status).toBe(401);
    expect(unknown.res.status).toBe(401);
    expect(wrong.res.text).toContain('Wrong username or password.');
    expect(unknown.res.text).toContain('Wrong username or password.');
    const failures = await ctx.deps.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'login.failed')
      .execute();
    expect(failures).toHaveLength(2);
  });

  test('missing fields ask for both without signing in', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    const { res } = await tryLogin('', '');
    expect(res.status).toBe(422);
    expect(res.text).toContain('Enter your username and password.');
  });

  test('the session id changes on login (no fixation)', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    const agent = request.agent(ctx.app);
    const loginPage = await agent.get('/login');
    const before = sessionCookie(loginPage);
    expect(before).toBeDefined();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(loginPage.text)![1];
    const res = await agent.post('/login').type('form').send({ _csrf: csrf, username: 'ada', password: PASSWORD });
    const after = sessionCookie(res);
    expect(after).toBeDefined();
    expect(after).not.toEqual(before);
    const oldSession = await request(ctx.app).get('/').set('Cookie', before!);
    expect(oldSession.status).toBe(303);
    expect(oldSession.headers.location).toMatch(/^\/login/);
  });

  test('session cookie is HttpOnly and SameSite=Lax', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    const { res } = await tryLogin('ada', PASSWORD);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('callscore.sid='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);
  });

  test('logout ends the session on the server: the old cookie no longer works', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    const agent = await signIn(ctx.app, 'ada');
    const home = await agent.get('/');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home.text)![1];
    const cookieRow = await ctx.deps.db.selectFrom('sessions').select('sid').where('user_id', 'is not', null).execute();
    expect(cookieRow).toHaveLength(1);
    const out = await agent.post('/logout').type('form').send({ _csrf: csrf });
    expect(out.status).toBe(303);
    const remaining = await ctx.deps.db.selectFrom('sessions').select('sid').where('user_id', 'is not', null).execute();
    expect(remaining).toHaveLength(0);
    const after = await agent.get('/');
    expect(after.status).toBe(303);
  });

  test('an open redirect through ?next= is refused', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    const agent = request.agent(ctx.app);
    const csrf = await csrfFrom(agent, '/login');
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrf, username: 'ada', password: PASSWORD, next: '//evil.example/' });
    expect(res.headers.location).toBe('/');
  });
});

describe('session lifetime', () => {
  test('idle for longer than 30 minutes signs you out', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    const agent = await signIn(ctx.app, 'ada');
    ctx.clock.advance(29 * 60_000);
    expect((await agent.get('/')).status).toBe(200);
    ctx.clock.advance(31 * 60_000);
    const res = await agent.get('/');
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/login/);
  });

  test('an active session still ends after 8 hours', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    const agent = await signIn(ctx.app, 'ada');
    for (let hour = 0; hour < 8; hour += 1) {
      for (let step = 0; step < 3; step += 1) {
        ctx.clock.advance(20 * 60_000);
        if (hour * 60 + (step + 1) * 20 <= 480) expect((await agent.get('/')).status).toBe(200);
      }
    }
    ctx.clock.advance(5 * 60_000);
    const res = await agent.get('/');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login?expired=1');
  });

  test('disabling a user ends their sessions at once', async () => {
    const admin = await buildUser(ctx.deps, 'admin', { username: 'ada' });
    await buildUser(ctx.deps, 'admin', { username: 'bob' });
    const bob = await signIn(ctx.app, 'bob');
    expect((await bob.get('/')).status).toBe(200);
    const adminAgent = await signIn(ctx.app, admin.username);
    const bobRow = await ctx.deps.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', 'bob')
      .executeTakeFirstOrThrow();
    const csrf = await csrfFrom(adminAgent, `/admin/users/${bobRow.id}`);
    const res = await adminAgent
      .post(`/admin/users/${bobRow.id}/active`)
      .type('form')
      .send({ _csrf: csrf, active: '0' });
    expect(res.status).toBe(303);
    const kicked = await bob.get('/');
    expect(kicked.status).toBe(303);
    expect(kicked.headers.location).toMatch(/^\/login/);
  });
});
