import request from 'supertest';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildUser, PASSWORD } from '../helpers/builders';
import { csrfFrom, signIn } from '../helpers/http';
import { codeFor, enrolOnPage } from '../mfa/helpers';
import type { User } from '../../src/db/schema';
import { auditOf, newAuthenticator, passkeySignIn, registerPasskey, RP } from './helpers';

// POST /api/v1/tokens checks a password and, with an app code on, `totp`. A passkey needs the browser's
// ceremony, so a person whose only second factor is a passkey is told to make the token on the profile page.

let ctx: TestContext;
let user: User;

beforeEach(async () => {
  ctx = makeTestApp(RP);
  await buildUser(ctx.deps, 'admin');
  user = await buildUser(ctx.deps, 'manager');
});
afterEach(async () => {
  await ctx.close();
});

const tokenRequest = (fields: Record<string, string>) =>
  request(ctx.app)
    .post('/api/v1/tokens')
    .send({ username: user.username, password: PASSWORD, name: 'script', ...fields });

describe('POST /api/v1/tokens for a person with a passkey', () => {
  test('passkey only: 403 naming the profile page, no token made, not counted as a wrong code', async () => {
    const authenticator = newAuthenticator();
    await registerPasskey(await signIn(ctx.app, user.username), authenticator);
    const res = await tokenRequest({ totp: '123456' });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('create a token on your profile page');
    expect(await ctx.deps.db.selectFrom('api_tokens').selectAll().execute()).toEqual([]);
    expect(await auditOf(ctx, 'totp.failed')).toEqual([]);
    // The way it names works: a passkey sign-in, then the profile page's form.
    const { agent } = await passkeySignIn(ctx.app, authenticator);
    const csrf = await csrfFrom(agent, '/profile');
    const made = await agent.post('/profile/tokens').type('form').send({ _csrf: csrf, name: 'script' });
    expect(made.status).toBeLessThan(400);
    expect(await ctx.deps.db.selectFrom('api_tokens').select('user_id').execute()).toEqual([{ user_id: user.id }]);
  });

  test('a wrong password is still the 401 of bad credentials, not the passkey message', async () => {
    await registerPasskey(await signIn(ctx.app, user.username), newAuthenticator());
    const res = await tokenRequest({ password: 'not-the-password' });
    expect(res.status).toBe(401);
    expect(res.body.error.message).not.toContain('passkey');
  });

  test('a passkey and an app code: the code is checked as before (401 without, 201 with)', async () => {
    const agent = await signIn(ctx.app, user.username);
    await registerPasskey(agent, newAuthenticator());
    const { secret } = await enrolOnPage(agent, ctx.clock);
    ctx.clock.advance(60_000);
    expect((await tokenRequest({})).status).toBe(401);
    const ok = await tokenRequest({ totp: await codeFor(secret, ctx.clock) });
    expect(ok.status).toBe(201);
    expect(typeof ok.body.token).toBe('string');
  });
});
