import request from 'supertest';
import { createToken } from '../../src/profile/tokens.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildUser, PASSWORD } from '../helpers/builders';
import { csrfFrom, signIn, type Agent } from '../helpers/http';
import { auditActions, codeFor, enrolOnPage, passwordStep } from './helpers';

let ctx: TestContext;
let admin: Agent;

beforeEach(async () => {
  ctx = makeTestApp();
  await buildUser(ctx.deps, 'admin', { username: 'root' });
  admin = await signIn(ctx.app, 'root');
});
afterEach(async () => ctx.close());

async function saveSecurity(fields: Record<string, unknown>) {
  const csrf = await csrfFrom(admin, '/admin/security');
  return admin
    .post('/admin/security')
    .type('form')
    .send({ _csrf: csrf, ...fields });
}

describe('the admin requirement of a second factor', () => {
  test('is off by default, with admins and managers chosen', async () => {
    const page = await admin.get('/admin/security');
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<option value="off" selected>/);
    expect(page.text).toMatch(/id="role-admin" name="roles" value="admin" checked/);
    expect(page.text).toMatch(/id="role-manager" name="roles" value="manager" checked/);
    expect(page.text).not.toMatch(/id="role-csr" name="roles" value="csr" checked/);
  });

  test('turned on, a manager is taken to enrolment and can do nothing else until enrolled', async () => {
    const saved = await saveSecurity({ required: 'on', roles: ['admin', 'manager'] });
    expect(saved.status).toBe(303);
    expect(await auditActions(ctx, 'settings.second_factor')).toHaveLength(1);
    await buildUser(ctx.deps, 'manager', { username: 'maria' });
    const { agent, res } = await passwordStep(ctx.app, 'maria');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/profile/second-factor');
    for (const path of ['/', '/calls', '/profile', '/reports']) {
      const page = await agent.get(path);
      expect([path, page.status, page.headers.location]).toEqual([path, 303, '/profile/second-factor']);
    }
    expect((await agent.get('/api/v1/calls')).status).toBe(403);
    const page = await agent.get('/profile/second-factor');
    expect(page.text).toContain('Your role must use a second factor');
    // No token for scripts either, until enrolled.
    const token = await request(ctx.app)
      .post('/api/v1/tokens')
      .send({ username: 'maria', password: PASSWORD, name: 'x' });
    expect(token.status).toBe(403);

    await enrolOnPage(agent, ctx.clock);
    expect((await agent.get('/calls')).status).toBe(200);
    // Required of the role: it cannot be turned off.
    const csrf = await csrfFrom(agent, '/profile/second-factor');
    ctx.clock.advance(30_000);
    const off = await agent.post('/profile/second-factor/disable').type('form').send({ _csrf: csrf, code: '123456' });
    expect(off.status).toBe(409);
  });

  test('roles not chosen are not asked; turning it on with no role is refused', async () => {
    expect((await saveSecurity({ required: 'on' })).status).toBe(422);
    expect((await saveSecurity({ required: 'maybe', roles: 'admin' })).status).toBe(422);
    expect((await saveSecurity({ required: 'on', roles: 'manager' })).status).toBe(303);
    await buildUser(ctx.deps, 'supervisor', { username: 'sam' });
    expect((await passwordStep(ctx.app, 'sam')).res.headers.location).toBe('/');
  });

  test('only an admin sees and changes it', async () => {
    await buildUser(ctx.deps, 'manager', { username: 'maria' });
    const manager = await signIn(ctx.app, 'maria');
    expect((await manager.get('/admin/security')).status).toBe(403);
    const csrf = await csrfFrom(manager, '/profile');
    const res = await manager.post('/admin/security').type('form').send({ _csrf: csrf, required: 'on', roles: 'csr' });
    expect(res.status).toBe(403);
    expect((await manager.post('/admin/security/users/1/reset').type('form').send({ _csrf: csrf })).status).toBe(403);
    expect(await auditActions(ctx, 'settings.second_factor')).toHaveLength(0);
  });
});

describe('an admin resetting a second factor', () => {
  test('clears it (audited) and ends their sessions; the person signs in with the password and is asked to enrol when required', async () => {
    const maria = await buildUser(ctx.deps, 'manager', { username: 'maria' });
    const mariaSession = await signIn(ctx.app, 'maria');
    await enrolOnPage(mariaSession, ctx.clock);
    expect((await passwordStep(ctx.app, 'maria')).res.headers.location).toBe('/login/code');
    const page = await admin.get('/admin/security');
    expect(page.text).toMatch(/on since/);
    const csrf = await csrfFrom(admin, '/admin/security');
    const reset = await admin.post(`/admin/security/users/${maria.id}/reset`).type('form').send({ _csrf: csrf });
    expect(reset.status).toBe(303);
    expect((await mariaSession.get('/api/v1/me')).status).toBe(401);
    const audit = await auditActions(ctx, 'totp.reset');
    expect(audit).toHaveLength(1);
    expect(audit[0]?.entity_id).toBe(maria.id);
    expect(JSON.parse(audit[0]?.details ?? '{}')).toMatchObject({ username: 'maria', had_second_factor: true });
    expect((await passwordStep(ctx.app, 'maria')).res.headers.location).toBe('/');
    expect((await admin.post('/admin/security/users/9999/reset').type('form').send({ _csrf: csrf })).status).toBe(404);
  });
});

describe('/api/v1/me/totp', () => {
  async function bearer() {
    const user = await buildUser(ctx.deps, 'supervisor', { username: 'sam' });
    const { token } = await createToken(ctx.deps, user.id, { name: 'script' });
    const auth = { Authorization: `Bearer ${token}` };
    return { user, auth };
  }

  test('enrols, confirms with 10 recovery codes, then tokens need "totp"; turns off with a code', async () => {
    const { auth } = await bearer();
    expect((await request(ctx.app).get('/api/v1/me/totp').set(auth)).body).toEqual({
      enabled: false,
      pending: false,
      recovery_codes_left: 0,
    });
    const started = await request(ctx.app).post('/api/v1/me/totp').set(auth);
    expect(started.status).toBe(201);
    expect(started.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(started.body.otpauth_url).toBe(
      `otpauth://totp/Callscore:sam?secret=${started.body.secret}&issuer=Callscore`,
    );
    const secret = started.body.secret as string;

    const wrong = await request(ctx.app).post('/api/v1/me/totp/confirm').set(auth).send({ code: '000000' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.details[0].path).toBe('code');
    expect((await request(ctx.app).post('/api/v1/me/totp/confirm').set(auth).send({})).status).toBe(422);
    const confirmed = await request(ctx.app)
      .post('/api/v1/me/totp/confirm')
      .set(auth)
      .send({ code: await codeFor(secret, ctx.clock) });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.recovery_codes).toHaveLength(10);
    expect((await request(ctx.app).post('/api/v1/me/totp').set(auth)).status).toBe(409);
    expect((await request(ctx.app).get('/api/v1/me/totp').set(auth)).body).toMatchObject({
      enabled: true,
      recovery_codes_left: 10,
    });

    const body = { username: 'sam', password: PASSWORD, name: 'cron' };
    const missing = await request(ctx.app).post('/api/v1/tokens').send(body);
    expect(missing.status).toBe(401);
    const bad = await request(ctx.app)
      .post('/api/v1/tokens')
      .send({ ...body, totp: '999999' });
    expect(bad.status).toBe(401);
    expect(await auditActions(ctx, 'totp.failed')).toHaveLength(2);
    ctx.clock.advance(30_000);
    const good = await request(ctx.app)
      .post('/api/v1/tokens')
      .send({ ...body, totp: await codeFor(secret, ctx.clock) });
    expect(good.status).toBe(201);
    const recovery = await request(ctx.app)
      .post('/api/v1/tokens')
      .send({ ...body, totp: confirmed.body.recovery_codes[0] });
    expect(recovery.status).toBe(201);
    const again = await request(ctx.app)
      .post('/api/v1/tokens')
      .send({ ...body, totp: confirmed.body.recovery_codes[0] });
    expect(again.status).toBe(401);

    expect((await request(ctx.app).delete('/api/v1/me/totp').set(auth).send({ code: '000000' })).status).toBe(422);
    ctx.clock.advance(30_000);
    const off = await request(ctx.app)
      .delete('/api/v1/me/totp')
      .set(auth)
      .send({ code: await codeFor(secret, ctx.clock) });
    expect(off.status).toBe(204);
    expect((await request(ctx.app).post('/api/v1/tokens').send(body)).status).toBe(201);
  });

  test('wrong codes at POST /api/v1/tokens reach the throttle: 429 after five', async () => {
    const { auth } = await bearer();
    const secret = (await request(ctx.app).post('/api/v1/me/totp').set(auth)).body.secret as string;
    await request(ctx.app)
      .post('/api/v1/me/totp/confirm')
      .set(auth)
      .send({ code: await codeFor(secret, ctx.clock) });
    const body = { username: 'sam', password: PASSWORD, name: 'cron', totp: '000000' };
    for (let i = 0; i < 5; i += 1) expect((await request(ctx.app).post('/api/v1/tokens').send(body)).status).toBe(401);
    expect((await request(ctx.app).post('/api/v1/tokens').send(body)).status).toBe(429);
  });

  test('needs a signed-in caller; a session needs the CSRF token', async () => {
    expect((await request(ctx.app).post('/api/v1/me/totp')).status).toBe(401);
    expect((await admin.post('/api/v1/me/totp')).status).toBe(403);
    const csrf = await csrfFrom(admin, '/profile');
    const started = await admin.post('/api/v1/me/totp').set('x-csrf-token', csrf);
    expect(started.status).toBe(201);
  });
});
