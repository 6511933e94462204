import request from 'supertest';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildUser } from '../helpers/builders';
import { csrfFrom, signIn } from '../helpers/http';
import { updateUser } from '../../src/users/users.service';
import { startProvider, type TestProvider } from './provider';
import { audit, pathOf, personWithEmail, providerAnswer, ssoApp, ssoSignIn, startSso } from './helpers';

let provider: TestProvider;
let ctx: TestContext;

beforeAll(async () => {
  provider = await startProvider();
});
afterAll(async () => {
  await provider.close();
});
beforeEach(async () => {
  ctx = ssoApp(provider);
  await buildUser(ctx.deps, 'admin');
});
afterEach(async () => {
  await ctx.close();
});

describe('single sign-on against a real OpenID provider', () => {
  test('the sign-in page offers the button only when single sign-on is configured', async () => {
    const page = await request(ctx.app).get('/login');
    expect(page.text).toContain('Sign in with Contoso ID');
    const plain = makeTestApp();
    try {
      await buildUser(plain.deps, 'admin');
      expect((await request(plain.app).get('/login')).text).not.toContain('Sign in with');
      expect((await request(plain.app).get('/login/sso')).status).toBe(404);
    } finally {
      await plain.close();
    }
  });

  test('the request to the provider carries PKCE (S256), state and nonce', async () => {
    const url = new URL(await startSso(request.agent(ctx.app)));
    expect(url.origin).toBe(provider.issuer);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(url.searchParams.get('nonce')).toMatch(/^[\w-]{20,}$/);
    expect(url.searchParams.get('scope')).toBe('openid email profile');
  });

  test('a person whose verified email matches an account is signed in, and it is audited', async () => {
    const manager = await personWithEmail(ctx, provider, 'manager', 'Mia.Manager@example.com'.toLowerCase());
    const { agent, res } = await ssoSignIn(ctx, 'mia.manager@example.com');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    const me = await agent.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.username).toBe(manager.username);
    const logins = await audit(ctx, 'login');
    expect(logins.at(-1)).toMatchObject({ actor_id: manager.id, details: { via: 'sso' } });
  });

  test('the email is matched case-insensitively', async () => {
    const supervisor = await personWithEmail(ctx, provider, 'supervisor', 'sam@example.com');
    provider.accounts.set('SAM', { email: 'Sam@Example.COM', email_verified: true });
    const { agent, res } = await ssoSignIn(ctx, 'SAM');
    expect(res.status).toBe(303);
    expect((await agent.get('/api/v1/me')).body.id).toBe(supervisor.id);
  });

  test('a wrong state is refused and signs no one in', async () => {
    await personWithEmail(ctx, provider, 'manager', 'state@example.com');
    const agent = request.agent(ctx.app);
    const callback = new URL(await providerAnswer(await startSso(agent), 'state@example.com'));
    callback.searchParams.set('state', 'not-the-state-we-sent');
    const res = await agent.get(pathOf(callback.href));
    expect(res.status).toBe(401);
    expect(res.text).toContain('Single sign-on did not complete');
    expect((await agent.get('/api/v1/me')).status).toBe(401);
    expect((await audit(ctx, 'login.sso_refused')).at(-1)?.details.reason).toMatch(/state/);
  });

  test('a nonce other than the one sent is refused (the ID token is checked)', async () => {
    await personWithEmail(ctx, provider, 'manager', 'nonce@example.com');
    const agent = request.agent(ctx.app);
    const authorize = new URL(await startSso(agent));
    authorize.searchParams.set('nonce', 'a-nonce-an-attacker-chose-123456');
    const res = await agent.get(pathOf(await providerAnswer(authorize.href, 'nonce@example.com')));
    expect(res.status).toBe(401);
    expect((await agent.get('/api/v1/me')).status).toBe(401);
    expect((await audit(ctx, 'login.sso_refused')).at(-1)?.details.reason).toMatch(/nonce/);
  });

  test('a replayed code is refused: once by the app (used up), and by the provider (invalid_grant)', async () => {
    await personWithEmail(ctx, provider, 'manager', 'replay@example.com');
    const { agent, res, callback } = await ssoSignIn(ctx, 'replay@example.com');
    expect(res.status).toBe(303);
    const again = await request.agent(ctx.app).get(pathOf(callback));
    expect(again.status).toBe(401);
    expect((await audit(ctx, 'login.sso_refused')).at(-1)?.details.reason).toBe('no_pending_sign_in');
    // A fresh sign-in's state put on the old code: the provider itself refuses the code a second time.
    const other = request.agent(ctx.app);
    const state = new URL(await startSso(other)).searchParams.get('state') ?? '';
    const replay = new URL(callback);
    replay.searchParams.set('state', state);
    expect((await other.get(pathOf(replay.href))).status).toBe(401);
    expect((await audit(ctx, 'login.sso_refused')).at(-1)?.details.reason).toBe('provider: invalid_grant');
    expect((await other.get('/api/v1/me')).status).toBe(401);
    expect((await agent.get('/api/v1/me')).status).toBe(200);
  });

  test('an unverified email is refused', async () => {
    await personWithEmail(ctx, provider, 'manager', 'unverified@example.com', false);
    const { agent, res } = await ssoSignIn(ctx, 'unverified@example.com');
    expect(res.status).toBe(401);
    expect(res.text).toContain('has not verified your email address');
    expect((await agent.get('/api/v1/me')).status).toBe(401);
    expect((await audit(ctx, 'login.sso_refused')).at(-1)?.details).toMatchObject({
      reason: 'email_unverified',
      email: 'unverified@example.com',
    });
  });

  test('a disabled user is refused', async () => {
    const admin = await buildUser(ctx.deps, 'admin');
    const csr = await personWithEmail(ctx, provider, 'supervisor', 'gone@example.com');
    await updateUser(ctx.deps, { id: admin.id, role: 'admin' }, csr.id, { active: false });
    const { agent, res } = await ssoSignIn(ctx, 'gone@example.com');
    expect(res.status).toBe(403);
    expect(res.text).toContain('Your account is disabled.');
    expect((await agent.get('/api/v1/me')).status).toBe(401);
    expect((await audit(ctx, 'login.sso_refused')).at(-1)?.details.reason).toBe('disabled');
  });

  test('an unknown person is refused, unless the admin lets them in as a CSR with no team', async () => {
    provider.accounts.set('newcomer', { email: 'newcomer@example.com', email_verified: true, name: 'New Comer' });
    const refused = await ssoSignIn(ctx, 'newcomer');
    expect(refused.res.status).toBe(403);
    expect(refused.res.text).toContain('There is no Callscore account for your email address.');
    expect((await audit(ctx, 'login.sso_refused')).at(-1)?.details.reason).toBe('unknown_user');

    const admin = await ctx.deps.db
      .selectFrom('users')
      .select('username')
      .where('role', '=', 'admin')
      .executeTakeFirstOrThrow();
    const adminAgent = await signIn(ctx.app, admin.username);
    const csrf = await csrfFrom(adminAgent, '/admin/security/sso');
    const saved = await adminAgent
      .post('/admin/security/sso')
      .type('form')
      .send({ _csrf: csrf, create_users: 'on', sso_only: 'off', break_glass: '', idp_mfa: 'off' });
    expect(saved.status).toBe(303);

    const { agent, res } = await ssoSignIn(ctx, 'newcomer');
    expect(res.status).toBe(303);
    const me = (await agent.get('/api/v1/me')).body;
    expect(me).toMatchObject({ role: 'csr', team_id: null, display_name: 'New Comer', email: 'newcomer@example.com' });
    expect((await audit(ctx, 'user.created')).at(-1)?.details).toMatchObject({ via: 'sso', role: 'csr' });
  });
});
