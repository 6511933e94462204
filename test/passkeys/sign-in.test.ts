import request from 'supertest';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildUser, PASSWORD } from '../helpers/builders';
import { csrfFrom, signIn, type Agent } from '../helpers/http';
import {
  auditOf,
  newAuthenticator,
  optionsFrom,
  passkeySignIn,
  passkeysOf,
  passwordThenPasskey,
  registerPasskey,
  RP,
} from './helpers';

let ctx: TestContext;
let admin: Agent;

beforeEach(async () => {
  ctx = makeTestApp(RP);
  await buildUser(ctx.deps, 'admin', { username: 'root' });
  admin = await signIn(ctx.app, 'root');
});
afterEach(async () => ctx.close());

/** A person who signs in with the password (sent to enrolment when required) and adds a passkey. */
async function withPasskey(username: string, role: 'manager' | 'supervisor' = 'supervisor') {
  const user = await buildUser(ctx.deps, role, { username });
  const agent = request.agent(ctx.app);
  const csrf = await csrfFrom(agent, '/login');
  const login = await agent.post('/login').type('form').send({ _csrf: csrf, username, password: PASSWORD });
  expect(login.status).toBe(303);
  const authenticator = newAuthenticator();
  const { res } = await registerPasskey(agent, authenticator);
  if (res.status !== 303) throw new Error(`registering: ${res.status}`);
  return { user, authenticator, firstStop: login.headers.location as string, agent };
}

async function requireSecondFactor() {
  const csrf = await csrfFrom(admin, '/admin/security');
  const res = await admin
    .post('/admin/security')
    .type('form')
    .send({ _csrf: csrf, required: 'on', roles: ['admin', 'manager'] });
  expect(res.status).toBe(303);
}

async function failureReasons() {
  return (await auditOf(ctx, 'passkey.failed')).map((r) => r.details.reason);
}

describe('signing in with a passkey alone', () => {
  test('signs the person in, counts the use and records it', async () => {
    const { user, authenticator } = await withPasskey('ada');
    const { agent, res } = await passkeySignIn(ctx.app, authenticator);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/calls');
    expect((await agent.get('/api/v1/me')).body).toMatchObject({ id: user.id });
    const [stored] = await passkeysOf(ctx, user.id);
    expect(stored?.counter).toBe(1);
    expect(stored?.last_used_at).toBe(ctx.clock.now().toISOString());
    expect(await auditOf(ctx, 'passkey.used')).toMatchObject([{ actor_id: user.id, details: { purpose: 'sign-in' } }]);
    expect(await auditOf(ctx, 'login')).toEqual(
      expect.arrayContaining([expect.objectContaining({ actor_id: user.id })]),
    );
  });

  test.each([
    ['a wrong challenge', { challenge: 'bm90LXRoZS1zZXJ2ZXJzLWNoYWxsZW5nZQ' }, 'challenge'],
    ['a wrong origin', { origin: 'https://qa.callscore.evil.test' }, 'origin'],
    ['a wrong relying party', { rpId: 'callscore.evil.test' }, 'rp_id'],
    ['no user verification', { userVerified: false }, 'user_verification'],
  ])('refuses %s (401, not signed in, audited)', async (_what, ceremony, reason) => {
    const { authenticator } = await withPasskey('ada');
    const { agent, res } = await passkeySignIn(ctx.app, authenticator, ceremony);
    expect(res.status).toBe(401);
    expect(res.text).toContain('That passkey was not accepted');
    expect((await agent.get('/api/v1/me')).status).toBe(401);
    expect(await failureReasons()).toEqual([reason]);
  });

  test('a replayed answer finds its challenge used up', async () => {
    const { authenticator } = await withPasskey('ada');
    const { agent, res, credential } = await passkeySignIn(ctx.app, authenticator);
    expect(res.status).toBe(303);
    // The same signed answer again, with the challenge put back in a fresh session of the attacker's.
    const thief = request.agent(ctx.app);
    const { options, csrf: thiefCsrf } = await optionsFrom(thief, '/login', '/login/passkey/options');
    expect(options.challenge).not.toBe(
      JSON.parse(Buffer.from(JSON.parse(credential).response.clientDataJSON, 'base64url').toString()).challenge,
    );
    const replay = await thief.post('/login/passkey').type('form').send({ _csrf: thiefCsrf, credential });
    expect(replay.status).toBe(401);
    // And in the original session, whose challenge was taken by the first use.
    const signedInCsrf = await csrfFrom(agent, '/profile');
    const again = await agent.post('/login/passkey').type('form').send({ _csrf: signedInCsrf, credential });
    expect(again.status).toBe(401);
    expect(await failureReasons()).toEqual(['challenge', 'challenge']);
    expect((await auditOf(ctx, 'passkey.used')).length).toBe(1);
  });

  test('refuses an unknown credential and a disabled person', async () => {
    const { user, authenticator } = await withPasskey('ada');
    const stranger = newAuthenticator();
    expect((await passkeySignIn(ctx.app, stranger)).res.status).toBe(401);
    await ctx.deps.db.updateTable('users').set({ active: 0 }).where('id', '=', user.id).execute();
    expect((await passkeySignIn(ctx.app, authenticator)).res.status).toBe(401);
    expect(await failureReasons()).toEqual(['unknown_credential', 'disabled_user']);
  });

  test('refuses a signature counter that went backwards (a cloned authenticator)', async () => {
    const { user, authenticator } = await withPasskey('ada');
    authenticator.counter = 10;
    expect((await passkeySignIn(ctx.app, authenticator)).res.status).toBe(303);
    authenticator.counter = 3;
    expect((await passkeySignIn(ctx.app, authenticator)).res.status).toBe(401);
    expect(await failureReasons()).toEqual(['counter']);
    expect((await passkeysOf(ctx, user.id))[0]?.counter).toBe(11);
  });

  test('is throttled with the sign-in throttle: after five failures a right passkey waits too (429)', async () => {
    const { authenticator } = await withPasskey('ada');
    for (let i = 0; i < 5; i += 1) {
      expect((await passkeySignIn(ctx.app, authenticator, { origin: 'https://evil.test' })).res.status).toBe(401);
    }
    const blocked = await passkeySignIn(ctx.app, authenticator);
    expect(blocked.res.status).toBe(429);
    expect(Number(blocked.res.headers['retry-after'])).toBeGreaterThan(0);
    ctx.clock.advance(2_000);
    expect((await passkeySignIn(ctx.app, authenticator)).res.status).toBe(303);
  });
});

describe('a passkey as the second factor', () => {
  test('a manager required to have a second factor passes the second step with the passkey', async () => {
    await requireSecondFactor();
    // Taken to enrolment at sign-in, she adds a passkey instead of an app code; then the gate opens.
    const { user, authenticator, firstStop, agent: enrolling } = await withPasskey('maria', 'manager');
    expect(firstStop).toBe('/profile/second-factor');
    expect((await enrolling.get('/calls')).status).not.toBe(303);
    const { agent, res, options } = await passwordThenPasskey(ctx.app, 'maria', authenticator);
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([authenticator.id]);
    expect(res.status).toBe(303);
    // Not taken to enrolment: the passkey is the role's second factor.
    expect(res.headers.location).toBe('/');
    expect((await agent.get('/api/v1/me')).body).toMatchObject({ id: user.id });
    expect(await auditOf(ctx, 'passkey.used')).toMatchObject([{ details: { purpose: 'second-step' } }]);
  });

  test('someone else’s passkey does not pass another person’s second step', async () => {
    await withPasskey('maria', 'manager');
    const { authenticator: bobs } = await withPasskey('bob', 'manager');
    const { res } = await passwordThenPasskey(ctx.app, 'maria', bobs);
    expect(res.status).toBe(401);
    const failed = await auditOf(ctx, 'passkey.failed');
    expect(failed).toMatchObject([{ details: { purpose: 'second-step', reason: 'unknown_credential' } }]);
  });

  test('the last passkey of a role that needs a second factor cannot be removed', async () => {
    await requireSecondFactor();
    const { user, authenticator } = await withPasskey('maria', 'manager');
    const { agent } = await passwordThenPasskey(ctx.app, 'maria', authenticator);
    const [passkey] = await passkeysOf(ctx, user.id);
    const csrf = await csrfFrom(agent, '/profile/passkeys');
    const res = await agent
      .post(`/profile/passkeys/${passkey?.id ?? 0}/remove`)
      .type('form')
      .send({ _csrf: csrf, password: PASSWORD });
    expect(res.status).toBe(409);
    expect(res.text).toContain('this is your last one');
    expect(await passkeysOf(ctx, user.id)).toHaveLength(1);
  });

  test('an admin’s reset of the second factor removes the passkeys too', async () => {
    const { user, authenticator } = await withPasskey('maria', 'manager');
    const csrf = await csrfFrom(admin, '/admin/security');
    const reset = await admin.post(`/admin/security/users/${user.id}/reset`).type('form').send({ _csrf: csrf });
    expect(reset.status).toBe(303);
    expect(await passkeysOf(ctx, user.id)).toHaveLength(0);
    expect((await auditOf(ctx, 'totp.reset'))[0]?.details).toMatchObject({
      had_second_factor: true,
      passkeys_removed: 1,
    });
    expect((await passkeySignIn(ctx.app, authenticator)).res.status).toBe(401);
  });
});
