import request from 'supertest';
import type { TestContext } from '../helpers/app';
import { buildUser } from '../helpers/builders';
import { csrfFrom, signIn, type Agent } from '../helpers/http';
import { codeFor, codeStep, enrolOnPage, passwordStep } from '../mfa/helpers';
import { auditOf, newAuthenticator, optionsFrom, passkeysOf, registerPasskey, RP } from '../passkeys/helpers';
import type { SoftAuthenticator } from '../passkeys/authenticator';
import { APP_ORIGIN, CLIENT_ID, CookieJar, followProvider, startProvider, type TestProvider } from './provider';
import { audit, pathOf, personWithEmail, providerAnswer, ssoApp, ssoSignIn } from './helpers';

// Issue 19: a single sign-on followed by the local second factor (code or passkey) must still end the provider's
// session at sign-out: the SSO marker and the ID token ride through the half-signed-in state.

let provider: TestProvider;
let ctx: TestContext;

beforeAll(async () => {
  provider = await startProvider();
});
afterAll(async () => {
  await provider.close();
});
beforeEach(async () => {
  ctx = ssoApp(provider, RP);
  await buildUser(ctx.deps, 'admin');
});
afterEach(async () => {
  await ctx.close();
});

function claimsOf(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Signs out; checks the answer is the provider's end_session with this person's ID token as the hint. */
async function signOutToProvider(agent: Agent, email: string, jar: CookieJar) {
  const csrf = await csrfFrom(agent, '/profile');
  const out = await agent.post('/logout').type('form').send({ _csrf: csrf });
  expect(out.status).toBe(303);
  const endSession = new URL(out.headers.location as string);
  expect(`${endSession.origin}${endSession.pathname}`).toBe(`${provider.issuer}/session/end`);
  const hint = endSession.searchParams.get('id_token_hint') ?? '';
  expect(claimsOf(hint)).toMatchObject({ iss: provider.issuer, aud: CLIENT_ID, sub: email });
  expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${APP_ORIGIN}/login`);
  // The local session is gone at once, whatever the browser does next.
  expect((await agent.get('/api/v1/me')).status).toBe(401);
  expect((await audit(ctx, 'logout')).at(-1)?.details).toMatchObject({ via: 'sso', provider_sign_out: true });
  // The provider accepts the hint and ends its session: the next sign-in there shows its form again.
  expect(await followProvider(endSession.href, '', `${APP_ORIGIN}/login`, jar)).toBe(`${APP_ORIGIN}/login`);
  const again = await request.agent(ctx.app).get('/login/sso');
  const authorize = await fetch(again.headers.location as string, {
    redirect: 'manual',
    headers: { cookie: jar.header() },
  });
  expect(authorize.headers.get('location')).toMatch(/^\/interaction\//);
}

describe('sign-out after single sign-on and the local second factor', () => {
  test('SSO, then the code: sign-out sends the browser to end_session with the ID token as the hint', async () => {
    const manager = await personWithEmail(ctx, provider, 'manager', 'code@example.com');
    const { secret } = await enrolOnPage(await signIn(ctx.app, manager.username), ctx.clock);
    ctx.clock.advance(60_000);
    const jar = new CookieJar();
    const { agent, res } = await ssoSignIn(ctx, 'code@example.com', undefined, jar);
    expect(res.headers.location).toBe('/login/code');
    expect((await codeStep(agent, await codeFor(secret, ctx.clock))).status).toBe(303);
    expect((await agent.get('/api/v1/me')).body.id).toBe(manager.id);
    expect((await audit(ctx, 'login')).at(-1)?.details).toMatchObject({ via: 'sso', second_factor: true });
    await signOutToProvider(agent, 'code@example.com', jar);
  });

  test('SSO, then a passkey as the second factor: the same', async () => {
    const manager = await personWithEmail(ctx, provider, 'manager', 'key@example.com');
    const authenticator = newAuthenticator();
    expect((await registerPasskey(await signIn(ctx.app, manager.username), authenticator)).res.status).toBe(303);
    const jar = new CookieJar();
    const { agent, res } = await ssoSignIn(ctx, 'key@example.com', undefined, jar);
    expect(res.headers.location).toBe('/login/code');
    const { options, csrf } = await optionsFrom(agent, '/login/code', '/login/code/passkey/options');
    const credential = JSON.stringify(authenticator.authenticate(options));
    const done = await agent.post('/login/code/passkey').type('form').send({ _csrf: csrf, credential });
    expect(done.status).toBe(303);
    expect((await agent.get('/api/v1/me')).body.id).toBe(manager.id);
    await signOutToProvider(agent, 'key@example.com', jar);
  });

  test('a password and code sign-in carries no SSO marker: sign-out stays local', async () => {
    const manager = await personWithEmail(ctx, provider, 'manager', 'local@example.com');
    const { secret } = await enrolOnPage(await signIn(ctx.app, manager.username), ctx.clock);
    ctx.clock.advance(60_000);
    const { agent, res } = await passwordStep(ctx.app, manager.username);
    expect(res.headers.location).toBe('/login/code');
    expect((await codeStep(agent, await codeFor(secret, ctx.clock))).status).toBe(303);
    const out = await agent
      .post('/logout')
      .type('form')
      .send({ _csrf: await csrfFrom(agent, '/profile') });
    expect(out.headers.location).toBe('/login');
    expect((await agent.get('/api/v1/me')).status).toBe(401);
  });
});

/** Single sign-on, then the passkey as the second step: the agent is signed in. */
async function ssoThenPasskey(email: string, authenticator: SoftAuthenticator, jar: CookieJar) {
  const { agent } = await ssoSignIn(ctx, email, undefined, jar);
  const { options, csrf } = await optionsFrom(agent, '/login/code', '/login/code/passkey/options');
  const credential = JSON.stringify(authenticator.authenticate(options));
  const done = await agent.post('/login/code/passkey').type('form').send({ _csrf: csrf, credential });
  expect(done.status).toBe(303);
  return agent;
}

async function removeWithoutPassword(agent: Agent, passkeyId: number) {
  const csrf = await csrfFrom(agent, '/profile/passkeys');
  return agent.post(`/profile/passkeys/${passkeyId}/remove`).type('form').send({ _csrf: csrf });
}

describe('removing a passkey after single sign-on, without a password', () => {
  test('a sign-in at the provider within 10 minutes stands in for the password; later it must be fresh again', async () => {
    const person = await personWithEmail(ctx, provider, 'supervisor', 'keys@example.com');
    const authenticator = newAuthenticator();
    const passwordAgent = await signIn(ctx.app, person.username);
    await registerPasskey(passwordAgent, authenticator, 'Laptop');
    await registerPasskey(passwordAgent, newAuthenticator(), 'Phone');
    const [laptop, phone] = await passkeysOf(ctx, person.id);
    const jar = new CookieJar();
    const agent = await ssoThenPasskey('keys@example.com', authenticator, jar);

    const page = await agent.get('/profile/passkeys');
    expect(page.text).toContain('needs no password now');
    expect(page.text).not.toContain('name="password"');
    expect((await removeWithoutPassword(agent, phone?.id ?? 0)).status).toBe(303);
    expect((await passkeysOf(ctx, person.id)).map((p) => p.name)).toEqual(['Laptop']);
    expect((await auditOf(ctx, 'passkey.removed')).at(-1)?.details).toMatchObject({ proven_by: 'sso' });

    // Eleven minutes on, the sign-in is no longer fresh: the password field is back and an empty one is refused.
    ctx.clock.advance(11 * 60_000);
    const stale = await agent.get('/profile/passkeys');
    expect(stale.text).toContain('name="password"');
    expect(stale.text).toContain('/login/sso?reauth=1&amp;next=/profile/passkeys');
    const refused = await removeWithoutPassword(agent, laptop?.id ?? 0);
    expect(refused.status).toBe(422);
    expect((await passkeysOf(ctx, person.id)).length).toBe(1);

    // A fresh sign-in at the provider (its session still open: no form), then removal works again.
    const start = await agent.get('/login/sso?reauth=1&next=/profile/passkeys');
    expect(start.status).toBe(303);
    const back = await agent.get(pathOf(await providerAnswer(start.headers.location as string, '', jar)));
    expect(back.headers.location).toBe('/login/code');
    const { options, csrf } = await optionsFrom(agent, '/login/code', '/login/code/passkey/options');
    const credential = JSON.stringify(authenticator.authenticate(options));
    const signedIn = await agent.post('/login/code/passkey').type('form').send({ _csrf: csrf, credential });
    expect(signedIn.headers.location).toBe('/profile/passkeys');
    expect((await removeWithoutPassword(agent, laptop?.id ?? 0)).status).toBe(303);
    expect(await passkeysOf(ctx, person.id)).toEqual([]);
  });

  test('a password session still needs the password', async () => {
    const person = await personWithEmail(ctx, provider, 'supervisor', 'pw@example.com');
    const agent = await signIn(ctx.app, person.username);
    await registerPasskey(agent, newAuthenticator());
    const [passkey] = await passkeysOf(ctx, person.id);
    expect((await removeWithoutPassword(agent, passkey?.id ?? 0)).status).toBe(422);
    expect((await passkeysOf(ctx, person.id)).length).toBe(1);
  });
});
