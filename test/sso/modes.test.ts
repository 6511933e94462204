import request from 'supertest';
import { generate } from '@otplib/totp';
import type { TestContext } from '../helpers/app';
import { buildUser, PASSWORD } from '../helpers/builders';
import { csrfFrom, signIn, type Agent } from '../helpers/http';
import { base32, crypto } from '../../src/mfa/otp-plugins';
import { enrolOnPage, codeStep } from '../mfa/helpers';
import type { User } from '../../src/db/schema';
import { APP_ORIGIN, CookieJar, followProvider, startProvider, type TestProvider } from './provider';
import { audit, personWithEmail, ssoApp, ssoSignIn } from './helpers';

let provider: TestProvider;
let ctx: TestContext;
let admin: User;

beforeAll(async () => {
  provider = await startProvider();
});
afterAll(async () => {
  await provider.close();
});
beforeEach(async () => {
  ctx = ssoApp(provider);
  admin = await buildUser(ctx.deps, 'admin');
});
afterEach(async () => {
  await ctx.close();
});

async function saveSso(agent: Agent, fields: Record<string, string>) {
  const csrf = await csrfFrom(agent, '/admin/security/sso');
  return agent
    .post('/admin/security/sso')
    .type('form')
    .send({ _csrf: csrf, create_users: 'off', sso_only: 'off', break_glass: '', idp_mfa: 'off', ...fields });
}

async function passwordLogin(username: string) {
  const agent = request.agent(ctx.app);
  const csrf = await csrfFrom(agent, '/login');
  return agent.post('/login').type('form').send({ _csrf: csrf, username, password: PASSWORD });
}

describe('SSO-only mode', () => {
  test('refuses passwords (page and API) for everyone but the break-glass admin, and audits it', async () => {
    const manager = await buildUser(ctx.deps, 'manager');
    const adminAgent = await signIn(ctx.app, admin.username);
    expect((await saveSso(adminAgent, { sso_only: 'on', break_glass: admin.username })).status).toBe(303);

    const refused = await passwordLogin(manager.username);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Passwords are turned off here');
    const token = await request(ctx.app)
      .post('/api/v1/tokens')
      .send({ username: manager.username, password: PASSWORD, name: 'script' });
    expect(token.status).toBe(403);
    expect(token.body.error.message).toContain('Passwords are turned off');
    expect((await audit(ctx, 'login.refused_sso_only')).map((r) => r.details.username)).toEqual([
      manager.username,
      manager.username,
    ]);

    const breakGlass = await passwordLogin(admin.username);
    expect(breakGlass.status).toBe(303);
    expect(breakGlass.headers.location).toBe('/');
  });

  test('cannot be turned on without an active admin named for break-glass', async () => {
    const csr = await buildUser(ctx.deps, 'manager');
    const adminAgent = await signIn(ctx.app, admin.username);
    const none = await saveSso(adminAgent, { sso_only: 'on', break_glass: '' });
    expect(none.status).toBe(422);
    expect(none.text).toContain('Name an active admin');
    const notAdmin = await saveSso(adminAgent, { sso_only: 'on', break_glass: csr.username });
    expect(notAdmin.status).toBe(422);
    expect((await passwordLogin(csr.username)).status).toBe(303);
    expect((await request(ctx.app).get('/admin/security/sso')).status).not.toBe(200);
  });
});

describe('sign-out after single sign-on', () => {
  test("ends the local session and the provider's (RP-initiated logout, end_session_endpoint)", async () => {
    await personWithEmail(ctx, provider, 'manager', 'out@example.com');
    const jar = new CookieJar();
    const { agent, res } = await ssoSignIn(ctx, 'out@example.com', undefined, jar);
    expect(res.status).toBe(303);
    // While the provider's session lasts, a new sign-in there returns at once (no sign-in form).
    const before = await request.agent(ctx.app).get('/login/sso');
    const silent = await fetch(before.headers.location as string, {
      redirect: 'manual',
      headers: { cookie: jar.header() },
    });
    expect(silent.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:3999\/auth\/sso\/callback\?code=/);
    const csrf = await csrfFrom(agent, '/profile');
    const out = await agent.post('/logout').type('form').send({ _csrf: csrf });
    expect(out.status).toBe(303);
    const endSession = new URL(out.headers.location as string);
    expect(`${endSession.origin}${endSession.pathname}`).toBe(`${provider.issuer}/session/end`);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${APP_ORIGIN}/login`);
    expect(endSession.searchParams.get('id_token_hint')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect((await agent.get('/api/v1/me')).status).toBe(401);
    // The provider's confirmation page, then back to the app's sign-in page.
    expect(await followProvider(endSession.href, '', `${APP_ORIGIN}/login`, jar)).toBe(`${APP_ORIGIN}/login`);
    expect((await audit(ctx, 'logout')).at(-1)?.details).toMatchObject({ via: 'sso', provider_sign_out: true });
    // The provider's session is gone too: signing in again shows its sign-in form (not an instant return).
    const again = await request.agent(ctx.app).get('/login/sso');
    const authorize = await fetch(again.headers.location as string, {
      redirect: 'manual',
      headers: { cookie: jar.header() },
    });
    expect(authorize.headers.get('location')).toMatch(/^\/interaction\//);
  });

  test('a password sign-in signs out locally only', async () => {
    const agent = await signIn(ctx.app, admin.username);
    const csrf = await csrfFrom(agent, '/profile');
    const out = await agent.post('/logout').type('form').send({ _csrf: csrf });
    expect(out.headers.location).toBe('/login');
  });
});

describe('second factor after single sign-on', () => {
  test('the local code is still asked of a user who has one', async () => {
    const manager = await personWithEmail(ctx, provider, 'manager', 'totp@example.com');
    const { secret } = await enrolOnPage(await signIn(ctx.app, manager.username), ctx.clock);
    ctx.clock.advance(60_000);
    const { agent, res } = await ssoSignIn(ctx, 'totp@example.com');
    expect(res.headers.location).toBe('/login/code');
    expect((await agent.get('/api/v1/me')).status).toBe(401);
    const code = await generate({ secret, epoch: Math.floor(ctx.clock.now().getTime() / 1000), crypto, base32 });
    const done = await codeStep(agent, code);
    expect(done.status).toBe(303);
    expect((await agent.get('/api/v1/me')).body.id).toBe(manager.id);
  });

  test('is not asked when the admin says the provider enforces multi-factor sign-in', async () => {
    const manager = await personWithEmail(ctx, provider, 'manager', 'idpmfa@example.com');
    await enrolOnPage(await signIn(ctx.app, manager.username), ctx.clock);
    expect((await saveSso(await signIn(ctx.app, admin.username), { idp_mfa: 'on' })).status).toBe(303);
    const { agent, res } = await ssoSignIn(ctx, 'idpmfa@example.com');
    expect(res.headers.location).toBe('/');
    expect((await agent.get('/api/v1/me')).body.id).toBe(manager.id);
  });
});

describe('email on accounts', () => {
  test('PATCH /api/v1/users/:id sets a unique email, folded to lower case', async () => {
    const a = await buildUser(ctx.deps, 'supervisor');
    const b = await buildUser(ctx.deps, 'supervisor');
    const token = await request(ctx.app)
      .post('/api/v1/tokens')
      .send({ username: admin.username, password: PASSWORD, name: 'admin script' });
    const auth = { Authorization: `Bearer ${token.body.token as string}` };
    const set = await request(ctx.app).patch(`/api/v1/users/${a.id}`).set(auth).send({ email: 'Ann@Example.com' });
    expect(set.status).toBe(200);
    expect(set.body.email).toBe('ann@example.com');
    const clash = await request(ctx.app).patch(`/api/v1/users/${b.id}`).set(auth).send({ email: 'ANN@example.com' });
    expect(clash.status).toBe(409);
    const bad = await request(ctx.app).patch(`/api/v1/users/${b.id}`).set(auth).send({ email: 'not an email' });
    expect(bad.status).toBe(422);
  });

  test('the admin edit page shows a taken email beside its field', async () => {
    const a = await buildUser(ctx.deps, 'supervisor');
    const b = await buildUser(ctx.deps, 'supervisor');
    const agent = await signIn(ctx.app, admin.username);
    const csrf = await csrfFrom(agent, `/admin/users/${a.id}`);
    const fields = { _csrf: csrf, display_name: a.display_name, role: 'supervisor', team_id: '', extension: '' };
    expect(
      (
        await agent
          .post(`/admin/users/${a.id}`)
          .type('form')
          .send({ ...fields, email: 'x@example.com' })
      ).status,
    ).toBe(303);
    const csrf2 = await csrfFrom(agent, `/admin/users/${b.id}`);
    const clash = await agent
      .post(`/admin/users/${b.id}`)
      .type('form')
      .send({ ...fields, _csrf: csrf2, display_name: b.display_name, email: 'X@example.com' });
    expect(clash.status).toBe(422);
    expect(clash.text).toContain('Another person has that email address.');
  });
});
