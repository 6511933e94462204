import request from 'supertest';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildUser } from '../helpers/builders';
import { csrfFrom, signIn } from '../helpers/http';
import { auditActions, codeFor, codeStep, enrolOnPage, passwordStep, recoveryCodesIn, startOnPage } from './helpers';

let ctx: TestContext;

beforeEach(async () => {
  ctx = makeTestApp();
  // Set-up is done once an admin exists; until then every page leads to /setup.
  await buildUser(ctx.deps, 'admin', { username: 'root' });
});
afterEach(async () => ctx.close());

async function enrolledUser(username = 'ada') {
  const user = await buildUser(ctx.deps, 'supervisor', { username });
  const agent = await signIn(ctx.app, username);
  const enrolled = await enrolOnPage(agent, ctx.clock);
  ctx.clock.advance(30_000);
  return { user, ...enrolled };
}

describe('enrolment on the profile page', () => {
  test('shows a QR code drawn as SVG and the secret; a wrong code is refused; the right one gives 10 codes', async () => {
    const user = await buildUser(ctx.deps, 'supervisor', { username: 'dana' });
    const agent = await signIn(ctx.app, 'dana');
    const secret = await startOnPage(agent);
    const page = await agent.get('/profile/second-factor');
    const qr = /src="data:image\/svg\+xml;base64,([^"]+)"/.exec(page.text)?.[1] ?? '';
    expect(Buffer.from(qr, 'base64').toString()).toMatch(/^<svg[\s\S]*<path/);
    const stored = await ctx.deps.db
      .selectFrom('user_totp')
      .selectAll()
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(stored.secret_enc).not.toContain(secret);
    expect(stored.confirmed_at).toBeNull();

    const csrf = await csrfFrom(agent, '/profile/second-factor');
    const wrong = await agent.post('/profile/second-factor/confirm').type('form').send({ _csrf: csrf, code: '000000' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('That code is not right');
    const right = await agent
      .post('/profile/second-factor/confirm')
      .type('form')
      .send({ _csrf: csrf, code: await codeFor(secret, ctx.clock) });
    expect(right.status).toBe(200);
    const codes = recoveryCodesIn(right.text);
    expect(codes).toHaveLength(10);
    expect(await auditActions(ctx, 'totp.enrolled')).toHaveLength(1);
    const rows = await ctx.deps.db
      .selectFrom('user_recovery_codes')
      .selectAll()
      .where('user_id', '=', user.id)
      .execute();
    expect(rows).toHaveLength(10);
    for (const row of rows) expect(codes.map((c) => c.replaceAll('-', ''))).not.toContain(row.code_hash);

    // Once on, the secret and the codes are never shown again.
    const after = await agent.get('/profile/second-factor');
    expect(after.text).not.toContain(secret);
    expect(recoveryCodesIn(after.text)).toHaveLength(0);
    expect(after.text).toContain('Recovery codes left: <strong id="codes-left">10</strong>');
    const profile = await agent.get('/profile');
    expect(profile.text).toMatch(/second factor is <strong>on<\/strong>/);
  });

  test('the forms need the CSRF token', async () => {
    await buildUser(ctx.deps, 'supervisor', { username: 'dana' });
    const agent = await signIn(ctx.app, 'dana');
    const res = await agent.post('/profile/second-factor/start').type('form').send({});
    expect(res.status).toBe(403);
    expect(await ctx.deps.db.selectFrom('user_totp').selectAll().execute()).toHaveLength(0);
  });
});

describe('signing in with a second factor', () => {
  test('the password alone leaves the session half signed in; the code finishes it', async () => {
    const { secret } = await enrolledUser();
    const { agent, res } = await passwordStep(ctx.app, 'ada');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login/code');
    const home = await agent.get('/');
    expect(home.status).toBe(303);
    expect(home.headers.location).toMatch(/^\/login/);
    expect((await agent.get('/api/v1/me')).status).toBe(401);

    const wrong = await codeStep(agent, '123456');
    expect(wrong.status).toBe(401);
    expect(await auditActions(ctx, 'totp.failed')).toHaveLength(1);
    const right = await codeStep(agent, await codeFor(secret, ctx.clock));
    expect(right.status).toBe(303);
    expect(right.headers.location).toBe('/');
    expect((await agent.get('/api/v1/me')).body.username).toBe('ada');
    const used = await auditActions(ctx, 'totp.used');
    expect(JSON.parse(used.at(-1)?.details ?? '{}')).toEqual({ method: 'code' });
  });

  test('a code used once cannot be used again within its window', async () => {
    const { secret } = await enrolledUser();
    const code = await codeFor(secret, ctx.clock);
    const first = await passwordStep(ctx.app, 'ada');
    expect((await codeStep(first.agent, code)).status).toBe(303);
    const second = await passwordStep(ctx.app, 'ada');
    expect((await codeStep(second.agent, code)).status).toBe(401);
    // The previous step's code is within the 5 s of grace at the start of a step, but older than the one used.
    expect((await codeStep(second.agent, await codeFor(secret, ctx.clock, -30))).status).toBe(401);
    ctx.clock.advance(30_000);
    expect((await codeStep(second.agent, await codeFor(secret, ctx.clock))).status).toBe(303);
  });

  test('a code lives for its 30-second step and 5 s of grace, no longer, and not before its step', async () => {
    const { secret } = await enrolledUser();
    const code = await codeFor(secret, ctx.clock);
    ctx.clock.advance(35_000);
    const late = await passwordStep(ctx.app, 'ada');
    expect((await codeStep(late.agent, code)).status).toBe(401);
    expect((await codeStep(late.agent, await codeFor(secret, ctx.clock, 30))).status).toBe(401);
    ctx.clock.advance(-31_000);
    expect((await codeStep(late.agent, code)).status).toBe(303);
  });

  test('the half-signed-in state expires after five minutes', async () => {
    const { secret } = await enrolledUser();
    const { agent } = await passwordStep(ctx.app, 'ada');
    const csrf = await csrfFrom(agent, '/login/code');
    ctx.clock.advance(5 * 60_000 + 1000);
    const res = await agent
      .post('/login/code')
      .type('form')
      .send({ _csrf: csrf, code: await codeFor(secret, ctx.clock) });
    expect(res.status).toBe(401);
    expect(res.text).toContain('Your sign-in took too long');
    expect((await agent.get('/login/code')).headers.location).toBe('/login');
    expect((await agent.get('/api/v1/me')).status).toBe(401);
  });

  test('a recovery code works once, with any case or spacing; the second time it fails', async () => {
    const { recoveryCodes } = await enrolledUser();
    const code = recoveryCodes[3] ?? '';
    const first = await passwordStep(ctx.app, 'ada');
    expect((await codeStep(first.agent, ` ${code.toUpperCase()} `)).status).toBe(303);
    const used = await auditActions(ctx, 'totp.used');
    expect(JSON.parse(used.at(-1)?.details ?? '{}')).toEqual({ method: 'recovery' });
    const second = await passwordStep(ctx.app, 'ada');
    expect((await codeStep(second.agent, code)).status).toBe(401);
    const page = await first.agent.get('/profile/second-factor');
    expect(page.text).toContain('<strong id="codes-left">9</strong>');
  });

  test('wrong codes count in the sign-in throttle; a right password does not clear the count', async () => {
    const { secret } = await enrolledUser();
    let pending = request.agent(ctx.app);
    for (let i = 0; i < 5; i += 1) {
      const { agent, res } = await passwordStep(ctx.app, 'ada');
      expect(res.headers.location).toBe('/login/code');
      expect((await codeStep(agent, '000000')).status).toBe(401);
      pending = agent;
    }
    // The fifth wrong code put the username in a wait: even the right code is refused, as is the password.
    const late = await codeStep(pending, await codeFor(secret, ctx.clock));
    expect(late.status).toBe(429);
    expect(late.headers['retry-after']).toBe('1');
    expect((await passwordStep(ctx.app, 'ada')).res.status).toBe(429);
    expect((await pending.get('/api/v1/me')).status).toBe(401);
    ctx.clock.advance(2000);
    const again = await passwordStep(ctx.app, 'ada');
    expect(again.res.headers.location).toBe('/login/code');
    expect((await codeStep(again.agent, await codeFor(secret, ctx.clock))).status).toBe(303);
  });

  test('the code step needs the CSRF token and a pending sign-in', async () => {
    const { secret } = await enrolledUser();
    const { agent } = await passwordStep(ctx.app, 'ada');
    const noToken = await agent
      .post('/login/code')
      .type('form')
      .send({ code: await codeFor(secret, ctx.clock) });
    expect(noToken.status).toBe(403);
    const fresh = request.agent(ctx.app);
    const csrf = await csrfFrom(fresh, '/login');
    const noPending = await fresh
      .post('/login/code')
      .type('form')
      .send({ _csrf: csrf, code: await codeFor(secret, ctx.clock) });
    expect(noPending.status).toBe(401);
    expect((await fresh.get('/api/v1/me')).status).toBe(401);
  });

  test('a user disabled between the two steps is not signed in', async () => {
    const { secret, user } = await enrolledUser();
    const { agent } = await passwordStep(ctx.app, 'ada');
    await ctx.deps.db.updateTable('users').set({ active: 0 }).where('id', '=', user.id).execute();
    expect((await codeStep(agent, await codeFor(secret, ctx.clock))).status).toBe(401);
    expect((await agent.get('/api/v1/me')).status).toBe(401);
  });
});

describe('turning it off and new recovery codes', () => {
  test('need a current code; the old recovery codes stop working', async () => {
    const { secret, recoveryCodes } = await enrolledUser();
    const agent = (await passwordStep(ctx.app, 'ada')).agent;
    await codeStep(agent, recoveryCodes[0] ?? '');
    const csrf = await csrfFrom(agent, '/profile/second-factor');
    const wrong = await agent
      .post('/profile/second-factor/recovery-codes')
      .type('form')
      .send({ _csrf: csrf, code: '111111' });
    expect(wrong.status).toBe(422);
    const renewed = await agent
      .post('/profile/second-factor/recovery-codes')
      .type('form')
      .send({ _csrf: csrf, code: await codeFor(secret, ctx.clock) });
    expect(renewed.status).toBe(200);
    const fresh = recoveryCodesIn(renewed.text);
    expect(fresh).toHaveLength(10);
    expect((await codeStep((await passwordStep(ctx.app, 'ada')).agent, recoveryCodes[1] ?? '')).status).toBe(401);

    ctx.clock.advance(30_000);
    const off = await agent.post('/profile/second-factor/disable').type('form').send({ _csrf: csrf, code: fresh[0] });
    expect(off.status).toBe(303);
    expect(await auditActions(ctx, 'totp.disabled')).toHaveLength(1);
    const plain = await passwordStep(ctx.app, 'ada');
    expect(plain.res.headers.location).toBe('/');
  });
});
