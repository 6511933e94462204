import { makeTestApp, type TestContext } from '../helpers/app';
import { buildUser } from '../helpers/builders';
import { csrfFrom, signIn } from '../helpers/http';
import { auditOf, newAuthenticator, optionsFrom, passkeysOf, registerPasskey, RP } from './helpers';

let ctx: TestContext;

beforeEach(async () => {
  ctx = makeTestApp(RP);
  await buildUser(ctx.deps, 'admin', { username: 'root' });
});
afterEach(async () => ctx.close());

describe('adding a passkey on the profile page', () => {
  test('keeps the credential id, public key, counter and transports, and records it', async () => {
    const user = await buildUser(ctx.deps, 'supervisor', { username: 'ada' });
    const agent = await signIn(ctx.app, 'ada');
    const authenticator = newAuthenticator();
    const { options } = await optionsFrom(agent, '/profile/passkeys', '/profile/passkeys/options');
    expect(options).toMatchObject({
      rp: { id: 'qa.callscore.test' },
      authenticatorSelection: { residentKey: 'required' },
    });

    const { res } = await registerPasskey(agent, authenticator, 'Work laptop');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/profile/passkeys');
    const [stored, ...others] = await passkeysOf(ctx, user.id);
    expect(others).toHaveLength(0);
    expect(stored).toMatchObject({
      credential_id: authenticator.id,
      counter: 0,
      name: 'Work laptop',
      last_used_at: null,
    });
    expect(JSON.parse(stored?.transports ?? '')).toEqual(['internal']);
    expect(Buffer.from(stored?.public_key ?? '', 'base64url').length).toBeGreaterThan(64);
    const added = await auditOf(ctx, 'passkey.added');
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ actor_id: user.id, details: { name: 'Work laptop' } });
    const page = await agent.get('/profile/passkeys');
    expect(page.text).toContain('Work laptop');
    // The same authenticator is excluded from a second registration.
    const again = await optionsFrom(agent, '/profile/passkeys', '/profile/passkeys/options');
    expect(again.res.body.excludeCredentials).toEqual([
      { id: authenticator.id, type: 'public-key', transports: ['internal'] },
    ]);
  });

  test.each([
    ['a wrong challenge', { challenge: 'c2lnbmVkLWZvci1zb21ldGhpbmctZWxzZQ' }, /challenge/i],
    ['a wrong origin', { origin: 'https://callscore.evil.test' }, /origin/i],
    ['a wrong relying party', { rpId: 'callscore.evil.test' }, /RP ID/i],
  ])('refuses %s with 422 and keeps nothing', async (_what, ceremony, message) => {
    const user = await buildUser(ctx.deps, 'supervisor', { username: 'ada' });
    const agent = await signIn(ctx.app, 'ada');
    const { res } = await registerPasskey(agent, newAuthenticator(), 'Laptop', ceremony);
    expect(res.status).toBe(422);
    expect(res.text).toMatch(message);
    expect(await passkeysOf(ctx, user.id)).toHaveLength(0);
  });

  test('a challenge serves once: the same answer posted again is refused', async () => {
    const user = await buildUser(ctx.deps, 'supervisor', { username: 'ada' });
    const agent = await signIn(ctx.app, 'ada');
    const { res, credential, csrf } = await registerPasskey(agent, newAuthenticator());
    expect(res.status).toBe(303);
    const replay = await agent.post('/profile/passkeys').type('form').send({ _csrf: csrf, name: 'Again', credential });
    expect(replay.status).toBe(422);
    expect(replay.text).toContain('expired or was already used');
    expect(await passkeysOf(ctx, user.id)).toHaveLength(1);
  });

  test('a challenge expires after five minutes', async () => {
    await buildUser(ctx.deps, 'supervisor', { username: 'ada' });
    const agent = await signIn(ctx.app, 'ada');
    const authenticator = newAuthenticator();
    const { options, csrf } = await optionsFrom(agent, '/profile/passkeys', '/profile/passkeys/options');
    ctx.clock.advance(5 * 60_000 + 1);
    const credential = JSON.stringify(authenticator.register(options));
    const res = await agent.post('/profile/passkeys').type('form').send({ _csrf: csrf, name: 'Late', credential });
    expect(res.status).toBe(422);
    expect(res.text).toContain('expired or was already used');
  });

  test('a missing name or a junk credential is a 422 with a message, not a 500', async () => {
    await buildUser(ctx.deps, 'supervisor', { username: 'ada' });
    const agent = await signIn(ctx.app, 'ada');
    const noName = await registerPasskey(agent, newAuthenticator(), '   ');
    expect(noName.res.status).toBe(422);
    expect(noName.res.text).toContain('Give the passkey a name');
    const csrf = await csrfFrom(agent, '/profile/passkeys');
    const junk = await agent
      .post('/profile/passkeys')
      .type('form')
      .send({ _csrf: csrf, name: 'X', credential: '{"id":1' });
    expect(junk.status).toBe(422);
    expect(junk.text).toContain('Your browser sent no passkey');
  });

  test('without PUBLIC_URL passkeys are off: the page says so and the options are a 409', async () => {
    await ctx.close();
    ctx = makeTestApp();
    await buildUser(ctx.deps, 'admin', { username: 'root' });
    await buildUser(ctx.deps, 'supervisor', { username: 'ada' });
    const agent = await signIn(ctx.app, 'ada');
    expect((await agent.get('/profile/passkeys')).text).toContain('an administrator sets <code>PUBLIC_URL</code>');
    const { res } = await optionsFrom(agent, '/profile/passkeys', '/profile/passkeys/options');
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('PUBLIC_URL');
    expect((await agent.get('/login')).text).not.toContain('/login/passkey');
  });
});

describe('renaming and removing', () => {
  test('rename is the owner’s only; removal needs the password and is recorded', async () => {
    const user = await buildUser(ctx.deps, 'supervisor', { username: 'ada' });
    await buildUser(ctx.deps, 'supervisor', { username: 'bob' });
    const agent = await signIn(ctx.app, 'ada');
    await registerPasskey(agent, newAuthenticator(), 'Old name');
    const [passkey] = await passkeysOf(ctx, user.id);
    const id = passkey?.id ?? 0;

    const bob = await signIn(ctx.app, 'bob');
    const bobCsrf = await csrfFrom(bob, '/profile/passkeys');
    const stolen = await bob.post(`/profile/passkeys/${id}/rename`).type('form').send({ _csrf: bobCsrf, name: 'Mine' });
    expect(stolen.status).toBe(404);
    const bobRemove = await bob
      .post(`/profile/passkeys/${id}/remove`)
      .type('form')
      .send({ _csrf: bobCsrf, password: 'correct horse battery staple' });
    expect(bobRemove.status).toBe(404);

    const csrf = await csrfFrom(agent, '/profile/passkeys');
    const renamed = await agent
      .post(`/profile/passkeys/${id}/rename`)
      .type('form')
      .send({ _csrf: csrf, name: 'Phone' });
    expect(renamed.status).toBe(303);
    expect((await passkeysOf(ctx, user.id))[0]?.name).toBe('Phone');

    const wrong = await agent
      .post(`/profile/passkeys/${id}/remove`)
      .type('form')
      .send({ _csrf: csrf, password: 'not my password' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('That password is not right.');
    expect(await passkeysOf(ctx, user.id)).toHaveLength(1);
    const removed = await agent
      .post(`/profile/passkeys/${id}/remove`)
      .type('form')
      .send({ _csrf: csrf, password: 'correct horse battery staple' });
    expect(removed.status).toBe(303);
    expect(await passkeysOf(ctx, user.id)).toHaveLength(0);
    expect(await auditOf(ctx, 'passkey.removed')).toMatchObject([{ actor_id: user.id, details: { name: 'Phone' } }]);
  });
});
