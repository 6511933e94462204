import request from 'supertest';
import type { TestContext } from '../helpers/app';
import { buildUser, PASSWORD } from '../helpers/builders';
import { csrfFrom, signIn, type Agent } from '../helpers/http';
import type { User } from '../../src/db/schema';
import { startProvider, type TestProvider } from './provider';
import { audit, ssoApp } from './helpers';

// Issue 19: the break-glass admin of SSO-only mode is re-checked. The app refuses to disable or demote them while
// SSO-only is on; if it happens anyway (the database, a renamed account), passwords open for no one and the
// settings page says why.

let provider: TestProvider;
let ctx: TestContext;
let breakGlass: User;
let otherAdmin: User;
let adminAgent: Agent;

beforeAll(async () => {
  provider = await startProvider();
});
afterAll(async () => {
  await provider.close();
});
beforeEach(async () => {
  ctx = ssoApp(provider);
  breakGlass = await buildUser(ctx.deps, 'admin');
  otherAdmin = await buildUser(ctx.deps, 'admin');
  adminAgent = await signIn(ctx.app, otherAdmin.username);
  expect((await saveSso(adminAgent, { sso_only: 'on', break_glass: breakGlass.username })).status).toBe(303);
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

async function tokenFor(username: string) {
  return request(ctx.app).post('/api/v1/tokens').send({ username, password: PASSWORD, name: 'script' });
}

async function stored(id: number) {
  return ctx.deps.db.selectFrom('users').select(['role', 'active']).where('id', '=', id).executeTakeFirstOrThrow();
}

describe('the app refuses to take away the break-glass admin while SSO-only is on', () => {
  test('demoting them on their page is a 409 with a message, and nothing changes', async () => {
    const csrf = await csrfFrom(adminAgent, `/admin/users/${breakGlass.id}`);
    const res = await adminAgent
      .post(`/admin/users/${breakGlass.id}`)
      .type('form')
      .send({ _csrf: csrf, display_name: breakGlass.display_name, role: 'manager', team_id: '', extension: '' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('is the break-glass admin while single sign-on is the only way in');
    expect(await stored(breakGlass.id)).toEqual({ role: 'admin', active: 1 });
  });

  test('disabling them from their page is refused with a message', async () => {
    const csrf = await csrfFrom(adminAgent, `/admin/users/${breakGlass.id}`);
    const res = await adminAgent.post(`/admin/users/${breakGlass.id}/active`).type('form').send({ _csrf: csrf });
    expect(res.status).toBe(303);
    expect((await adminAgent.get(res.headers.location as string)).text).toContain('Name another active admin');
    expect(await stored(breakGlass.id)).toEqual({ role: 'admin', active: 1 });
  });

  test('PATCH /api/v1/users/:id (active false, or a role) is a 409 break_glass_admin', async () => {
    await saveSso(adminAgent, { sso_only: 'off' });
    const token = (await tokenFor(otherAdmin.username)).body.token as string;
    await saveSso(adminAgent, { sso_only: 'on', break_glass: breakGlass.username });
    const auth = { Authorization: `Bearer ${token}` };
    for (const change of [{ active: false }, { role: 'supervisor' }]) {
      const res = await request(ctx.app).patch(`/api/v1/users/${breakGlass.id}`).set(auth).send(change);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('break_glass_admin');
    }
    expect(await stored(breakGlass.id)).toEqual({ role: 'admin', active: 1 });
  });

  test('once another admin is named (or SSO-only is off), the former one can be demoted', async () => {
    expect((await saveSso(adminAgent, { sso_only: 'on', break_glass: otherAdmin.username })).status).toBe(303);
    const csrf = await csrfFrom(adminAgent, `/admin/users/${breakGlass.id}`);
    const res = await adminAgent.post(`/admin/users/${breakGlass.id}/active`).type('form').send({ _csrf: csrf });
    expect(res.status).toBe(303);
    expect(await stored(breakGlass.id)).toEqual({ role: 'admin', active: 0 });
  });
});

describe('when the break-glass admin stops qualifying anyway, passwords open for no one', () => {
  const cases: Array<[string, () => Promise<unknown>, RegExp]> = [
    [
      'demoted',
      () => ctx.deps.db.updateTable('users').set({ role: 'manager' }).where('id', '=', breakGlass.id).execute(),
      /is no longer an admin/,
    ],
    [
      'disabled',
      () => ctx.deps.db.updateTable('users').set({ active: 0 }).where('id', '=', breakGlass.id).execute(),
      /is disabled/,
    ],
  ];
  test.each(cases)('%s: page and token route refuse, the settings page says so', async (_what, change, problem) => {
    await change();
    expect((await passwordLogin(breakGlass.username)).status).toBe(403);
    expect((await passwordLogin(otherAdmin.username)).status).toBe(403);
    expect((await tokenFor(breakGlass.username)).status).toBe(403);
    const page = await adminAgent.get('/admin/security/sso');
    expect(page.text).toContain('Nobody can sign in with a password.');
    expect(page.text).toMatch(problem);
    expect((await audit(ctx, 'login.refused_sso_only')).length).toBe(3);
  });

  test('a different account now holding the name is not the break-glass admin', async () => {
    const name = breakGlass.username;
    await ctx.deps.db
      .updateTable('users')
      .set({ username: `${name}-old` })
      .where('id', '=', breakGlass.id)
      .execute();
    await buildUser(ctx.deps, 'admin', { username: name });
    expect((await passwordLogin(name)).status).toBe(403);
    expect((await adminAgent.get('/admin/security/sso')).text).toContain('no longer exists');
  });

  test('naming an active admin again opens the password for them alone, and the warning goes', async () => {
    await ctx.deps.db.updateTable('users').set({ active: 0 }).where('id', '=', breakGlass.id).execute();
    const again = await saveSso(adminAgent, { sso_only: 'on', break_glass: breakGlass.username });
    expect(again.status).toBe(422);
    expect(again.text).toContain('Name an active admin');
    expect((await saveSso(adminAgent, { sso_only: 'on', break_glass: otherAdmin.username })).status).toBe(303);
    expect((await passwordLogin(otherAdmin.username)).status).toBe(303);
    expect((await adminAgent.get('/admin/security/sso')).text).not.toContain('Nobody can sign in with a password.');
  });

  test('settings saved before the id was stored (an upgrade): the admin is found by name, and still kept', async () => {
    await ctx.deps.db.deleteFrom('settings').where('key', '=', 'sso_break_glass_id').execute();
    expect((await adminAgent.get('/admin/security/sso')).text).not.toContain('Nobody can sign in with a password.');
    expect((await passwordLogin(breakGlass.username)).status).toBe(303);
    expect((await passwordLogin(otherAdmin.username)).status).toBe(403);
    const csrf = await csrfFrom(adminAgent, `/admin/users/${breakGlass.id}`);
    const demote = await adminAgent
      .post(`/admin/users/${breakGlass.id}`)
      .type('form')
      .send({ _csrf: csrf, display_name: breakGlass.display_name, role: 'manager', team_id: '', extension: '' });
    expect(demote.status).toBe(409);
  });

  test('a healthy break-glass admin: no warning, their password works', async () => {
    expect((await adminAgent.get('/admin/security/sso')).text).not.toContain('Nobody can sign in with a password.');
    expect((await passwordLogin(breakGlass.username)).status).toBe(303);
  });
});
