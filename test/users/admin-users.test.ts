import request from 'supertest';
import type { User } from '../../src/db/schema';
import { updateUser } from '../../src/users/users.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, buildUser, PASSWORD, type Org } from '../helpers/builders';
import { csrfFrom, postForm, signIn, type Agent } from '../helpers/http';

const NEW_PASSWORD = 'a quiet lighthouse at dawn';

let ctx: TestContext;
let org: Org;
let admin: Agent;

beforeEach(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  admin = await signIn(ctx.app, org.admin.username);
});
afterEach(async () => ctx.close());

async function userCount(): Promise<number> {
  const rows = await ctx.deps.db.selectFrom('users').select('id').execute();
  return rows.length;
}

async function userRow(id: number): Promise<User> {
  return ctx.deps.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function userByName(username: string): Promise<User | undefined> {
  return ctx.deps.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

async function auditCount(): Promise<number> {
  const rows = await ctx.deps.db.selectFrom('audit_log').select('id').execute();
  return rows.length;
}

async function auditFor(entityId: number, action: string) {
  return ctx.deps.db
    .selectFrom('audit_log')
    .selectAll()
    .where('entity_type', '=', 'user')
    .where('entity_id', '=', entityId)
    .where('action', '=', action)
    .execute();
}

/** What every refused change must leave alone: the users table and the audit log. */
async function snapshot() {
  const users = await ctx.deps.db.selectFrom('users').selectAll().orderBy('id').execute();
  const supervisors = await ctx.deps.db.selectFrom('team_supervisors').selectAll().orderBy('user_id').execute();
  return { users, supervisors, audit: await auditCount() };
}

async function canSignIn(username: string, password: string): Promise<boolean> {
  const agent = request.agent(ctx.app);
  const csrf = await csrfFrom(agent, '/login');
  const res = await agent.post('/login').type('form').send({ _csrf: csrf, username, password });
  return res.status === 303;
}

/** A bearer token for scripts, asked for through POST /api/v1/tokens. */
async function bearerFor(username: string): Promise<string> {
  // The session's CSRF token rides along so these tests do not hinge on the cookie-less path,
  // which test/security/access.test.ts checks on its own.
  const agent = request.agent(ctx.app);
  const csrf = await csrfFrom(agent, '/login');
  const res = await agent
    .post('/api/v1/tokens')
    .set('X-CSRF-Token', csrf)
    .send({ username, password: PASSWORD, name: 'admin-users tests' });
  if (res.status !== 201) throw new Error(`token for ${username}: ${res.status} ${res.text}`);
  return (res.body as { token: string }).token;
}

function newPersonForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    username: 'dana.lopez',
    display_name: 'Dana Lopez',
    password: NEW_PASSWORD,
    role: 'csr',
    team_id: String(org.teamA),
    department_id: '',
    ...overrides,
  };
}

function newPersonJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    username: 'dana.lopez',
    display_name: 'Dana Lopez',
    password: NEW_PASSWORD,
    role: 'csr',
    team_id: org.teamA,
    ...overrides,
  };
}

// Usernames in these tests are 8+ characters, so "the same as the username" is not also "too short".
const badPasswords: Array<[string, (username: string) => string, RegExp]> = [
  ['too short', () => 'abc123', /at least 8 characters/],
  ['too long', () => 'x'.repeat(129), /at most 128 characters/],
  ['on the common list', () => 'password123', /commonly used/],
  ['the same as the username', (username) => username.toUpperCase(), /must not be the username/],
  ['made of one repeated character', () => 'aaaaaaaaaaaa', /\w/],
];

/** The message shown beside a form field, or null when the field has none. */
function fieldError(html: string, field: string): string | null {
  const match = new RegExp(`id="${field}-error" class="field-error">([^<]*)<`).exec(html);
  return match ? match[1] : null;
}

async function buildVictim(): Promise<User> {
  return buildUser(ctx.deps, 'csr', { username: 'casey.jones', team_id: org.teamA });
}

describe('people list and forms', () => {
  test('the list shows active people and disabled people only when asked', async () => {
    await updateUser(ctx.deps, { id: org.admin.id, role: 'admin' }, org.csrB.id, { active: false });
    const list = await admin.get('/admin/users');
    expect(list.status).toBe(200);
    expect(list.text).toContain(`/admin/users/${org.csrA.id}"`);
    expect(list.text).toContain(org.csrA.display_name);
    expect(list.text).not.toContain(`/admin/users/${org.csrB.id}"`);
    const withDisabled = await admin.get('/admin/users?inactive=1');
    expect(withDisabled.text).toContain(`/admin/users/${org.csrB.id}"`);
  });

  test('the list filters by role and by name', async () => {
    const supervisors = await admin.get('/admin/users?role=supervisor');
    expect(supervisors.text).toContain(org.supervisorA.username);
    expect(supervisors.text).not.toContain(`<code>${org.csrA.username}</code>`);
    const byName = await admin.get(`/admin/users?q=${org.csrA2.username}`);
    expect(byName.text).toContain(`<code>${org.csrA2.username}</code>`);
    expect(byName.text).not.toContain(`<code>${org.csrB.username}</code>`);
  });

  test('the new-person form offers every team and department', async () => {
    const res = await admin.get('/admin/users/new');
    expect(res.status).toBe(200);
    for (const teamId of [org.teamA, org.teamB, org.otherTeam]) expect(res.text).toContain(`value="${teamId}"`);
    expect(res.text).toContain(`value="${org.otherDepartmentId}"`);
    expect(res.text).toMatch(/name="_csrf" value="[^"]+"/);
  });

  test('the edit page of an unknown or malformed id is 404', async () => {
    expect((await admin.get('/admin/users/999999')).status).toBe(404);
    expect((await admin.get('/admin/users/abc')).status).toBe(404);
    expect((await admin.get('/admin/users/0')).status).toBe(404);
  });
});

describe('adding a person through the form', () => {
  test('a CSR is stored in their team, can sign in, and the addition is audited', async () => {
    const before = await userCount();
    const res = await postForm(admin, '/admin/users', newPersonForm());
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/users');
    expect(await userCount()).toBe(before + 1);
    const dana = (await userByName('dana.lopez'))!;
    expect(dana).toMatchObject({ display_name: 'Dana Lopez', role: 'csr', team_id: org.teamA, active: 1 });
    expect(dana.password_hash).not.toContain(NEW_PASSWORD);
    const audit = await auditFor(dana.id, 'user.created');
    expect(audit).toHaveLength(1);
    expect(audit[0].actor_id).toBe(org.admin.id);
    expect(audit[0].details).not.toContain(NEW_PASSWORD);
    const page = await admin.get('/admin/users');
    expect(page.text).toContain('Dana Lopez (dana.lopez) was added.');
    expect(await canSignIn('dana.lopez', NEW_PASSWORD)).toBe(true);
  });

  test('a supervisor given a team becomes one of its supervisors', async () => {
    const res = await postForm(admin, '/admin/users', newPersonForm({ username: 'sam', role: 'supervisor' }));
    expect(res.status).toBe(303);
    const sam = (await userByName('sam'))!;
    expect(sam.team_id).toBeNull();
    const link = await ctx.deps.db.selectFrom('team_supervisors').selectAll().where('user_id', '=', sam.id).execute();
    expect(link).toEqual([{ team_id: org.teamA, user_id: sam.id }]);
  });

  test.each<[string, Record<string, string>, string, string]>([
    ['an over-long username', { username: 'u'.repeat(65) }, 'Username must be at most 64 characters.', 'username'],
    ['a username with spaces', { username: 'dana lopez' }, 'Use letters, digits, dots', 'username'],
    ['an over-long display name', { display_name: 'D'.repeat(101) }, 'must be at most 100 characters', 'display_name'],
    ['a blank display name', { display_name: '   ' }, 'is required.', 'display_name'],
    ['an unknown role', { role: 'owner' }, 'Choose a role', 'role'],
    ['a CSR without a team', { team_id: '' }, 'A CSR belongs to a team.', 'team_id'],
    ['a team that does not exist', { team_id: '999999' }, 'No such team.', 'team_id'],
    ['a team id that is not a number', { team_id: 'teamA' }, 'Choose one from the list.', 'team_id'],
    [
      'a department that does not exist',
      { role: 'manager', department_id: '999999' },
      'No such department.',
      'department_id',
    ],
  ])(
    '%s is refused with 422, the message beside the field, and nothing saved',
    async (_case, fields, message, field) => {
      const before = await snapshot();
      const res = await postForm(admin, '/admin/users', newPersonForm(fields));
      expect(res.status).toBe(422);
      expect(res.text).toContain(message);
      expect(res.text).toContain(`id="${field}-error"`);
      expect(await snapshot()).toEqual(before);
    },
  );

  test('missing fields are each named, and nothing is saved', async () => {
    const before = await snapshot();
    const res = await postForm(admin, '/admin/users', {});
    expect(res.status).toBe(422);
    expect(res.text).toContain('Username is required.');
    expect(res.text).toContain('Display name is required.');
    expect(res.text).toContain('id="password-error"');
    expect(await snapshot()).toEqual(before);
  });

  test.each(badPasswords)('a password %s is refused with 422 and a message', async (_case, password, message) => {
    const before = await snapshot();
    const res = await postForm(admin, '/admin/users', newPersonForm({ password: password('dana.lopez') }));
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'password')).toMatch(message);
    expect(await snapshot()).toEqual(before);
  });

  test('a taken username (in any letter case) is a 409 showing the message and keeping the other values', async () => {
    const before = await snapshot();
    const res = await postForm(
      admin,
      '/admin/users',
      newPersonForm({
        username: org.csrA.username.toUpperCase(),
        display_name: 'Second Dana',
        team_id: String(org.teamB),
      }),
    );
    expect(res.status).toBe(409);
    expect(res.text).toContain('That username is taken.');
    expect(res.text).toContain(`value="${org.csrA.username.toUpperCase()}"`);
    expect(res.text).toContain('value="Second Dana"');
    expect(res.text).toMatch(new RegExp(`<option value="${org.teamB}" selected>`));
    expect(res.text).not.toContain(NEW_PASSWORD);
    expect(await snapshot()).toEqual(before);
  });

  test('a refused form keeps what was typed, except the password', async () => {
    const res = await postForm(admin, '/admin/users', newPersonForm({ team_id: '', display_name: 'Kept Name' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('value="Kept Name"');
    expect(res.text).toContain('value="dana.lopez"');
    expect(res.text).not.toContain(NEW_PASSWORD);
  });
});

describe('editing a person through the form', () => {
  test('saving a new display name updates the row and audits who changed what', async () => {
    const res = await postForm(admin, `/admin/users/${org.csrA.id}`, {
      display_name: 'Renamed Person',
      role: 'csr',
      team_id: String(org.teamA),
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/users/${org.csrA.id}`);
    expect((await userRow(org.csrA.id)).display_name).toBe('Renamed Person');
    const audit = await auditFor(org.csrA.id, 'user.updated');
    expect(audit).toHaveLength(1);
    expect(audit[0].actor_id).toBe(org.admin.id);
    expect(JSON.parse(audit[0].details!)).toEqual({
      display_name: { from: org.csrA.display_name, to: 'Renamed Person' },
    });
    expect((await admin.get(`/admin/users/${org.csrA.id}`)).text).toContain('Changes saved.');
  });

  test.each<[string, Record<string, string>, string]>([
    ['an over-long display name', { display_name: 'N'.repeat(101) }, 'must be at most 100 characters'],
    ['a blank display name', { display_name: '' }, 'is required.'],
    ['an unknown role', { role: 'owner' }, 'Choose a role'],
    ['a team that does not exist', { team_id: '999999' }, 'No such team.'],
    ['a CSR left without a team', { team_id: '' }, 'A CSR belongs to a team.'],
  ])('%s is refused with 422 and the person is unchanged', async (_case, fields, message) => {
    const before = await snapshot();
    const res = await postForm(admin, `/admin/users/${org.csrA.id}`, {
      display_name: org.csrA.display_name,
      role: 'csr',
      team_id: String(org.teamA),
      ...fields,
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain(message);
    expect(await snapshot()).toEqual(before);
  });

  test('editing, resetting or disabling an unknown person is 404 and changes nothing', async () => {
    const before = await snapshot();
    const edit = await postForm(admin, '/admin/users/999999', { display_name: 'Ghost', role: 'csr' });
    const reset = await postForm(admin, '/admin/users/999999/password', { password: NEW_PASSWORD });
    const disable = await postForm(admin, '/admin/users/999999/active', { active: '0' });
    expect([edit.status, reset.status, disable.status]).toEqual([404, 404, 404]);
    expect(await snapshot()).toEqual(before);
  });

  test('an admin cannot demote themself: 409 with the message, role unchanged', async () => {
    const before = await snapshot();
    const res = await postForm(admin, `/admin/users/${org.admin.id}`, {
      display_name: org.admin.display_name,
      role: 'manager',
      team_id: '',
    });
    expect(res.status).toBe(409);
    expect(res.text).toContain('You cannot disable or demote your own account.');
    expect(await snapshot()).toEqual(before);
    expect((await admin.get('/admin/users')).status).toBe(200);
  });
});

describe('moving a CSR to another team', () => {
  test('changes which supervisor and manager can see them', async () => {
    const path = `/people/${org.csrA.id}`;
    const oldSupervisor = await signIn(ctx.app, org.supervisorA.username);
    const newSupervisor = await signIn(ctx.app, org.otherSupervisor.username);
    const oldManager = await signIn(ctx.app, org.manager.username);
    const newManager = await signIn(ctx.app, org.otherManager.username);
    expect((await oldSupervisor.get(path)).status).toBe(200);
    expect((await newSupervisor.get(path)).status).toBe(404);

    const res = await postForm(admin, `/admin/users/${org.csrA.id}`, {
      display_name: org.csrA.display_name,
      role: 'csr',
      team_id: String(org.otherTeam),
    });
    expect(res.status).toBe(303);
    expect((await userRow(org.csrA.id)).team_id).toBe(org.otherTeam);

    expect((await oldSupervisor.get(path)).status).toBe(404);
    expect((await newSupervisor.get(path)).status).toBe(200);
    expect((await oldManager.get(path)).status).toBe(404);
    expect((await newManager.get(path)).status).toBe(200);
    expect((await oldSupervisor.get('/people')).text).not.toContain(org.csrA.username);
    expect((await newSupervisor.get('/people')).text).toContain(org.csrA.username);

    const audit = await auditFor(org.csrA.id, 'user.updated');
    expect(audit).toHaveLength(1);
    expect(audit[0].actor_id).toBe(org.admin.id);
    expect(JSON.parse(audit[0].details!)).toEqual({ team_id: { from: org.teamA, to: org.otherTeam } });
  });
});

describe('password reset by an admin', () => {
  test('the new password works, the old one does not, their sessions end, and it is audited', async () => {
    const csr = await signIn(ctx.app, org.csrA.username);
    const res = await postForm(admin, `/admin/users/${org.csrA.id}/password`, { password: NEW_PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/users/${org.csrA.id}`);
    const kicked = await csr.get('/');
    expect(kicked.status).toBe(303);
    expect(kicked.headers.location).toMatch(/^\/login/);
    expect(await canSignIn(org.csrA.username, PASSWORD)).toBe(false);
    expect(await canSignIn(org.csrA.username, NEW_PASSWORD)).toBe(true);
    const audit = await auditFor(org.csrA.id, 'user.password_reset');
    expect(audit).toHaveLength(1);
    expect(audit[0].actor_id).toBe(org.admin.id);
    expect(audit[0].details).not.toContain(NEW_PASSWORD);
  });

  test.each(badPasswords)(
    'a password %s is refused with 422 and the old one still works',
    async (_case, password, message) => {
      const victim = await buildVictim();
      const before = await snapshot();
      const res = await postForm(admin, `/admin/users/${victim.id}/password`, { password: password(victim.username) });
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'password')).toMatch(message);
      expect(await snapshot()).toEqual(before);
      expect(await canSignIn(victim.username, PASSWORD)).toBe(true);
    },
  );

  test('a reset without a password field is refused with 422 and changes nothing', async () => {
    const before = await snapshot();
    const res = await postForm(admin, `/admin/users/${org.csrA.id}/password`, {});
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'password')).toMatch(/\w/);
    expect(await snapshot()).toEqual(before);
  });
});

describe('disabling and enabling', () => {
  test('disabling refuses sign-in and is audited; enabling restores it and is audited', async () => {
    const off = await postForm(admin, `/admin/users/${org.csrA.id}/active`, { active: '0' });
    expect(off.status).toBe(303);
    expect((await userRow(org.csrA.id)).active).toBe(0);
    expect(await canSignIn(org.csrA.username, PASSWORD)).toBe(false);
    const disabled = await auditFor(org.csrA.id, 'user.disabled');
    expect(disabled.map((a) => a.actor_id)).toEqual([org.admin.id]);

    const on = await postForm(admin, `/admin/users/${org.csrA.id}/active`, { active: '1' });
    expect(on.status).toBe(303);
    expect((await userRow(org.csrA.id)).active).toBe(1);
    expect(await canSignIn(org.csrA.username, PASSWORD)).toBe(true);
    const enabled = await auditFor(org.csrA.id, 'user.enabled');
    expect(enabled.map((a) => a.actor_id)).toEqual([org.admin.id]);
  });

  test('an admin cannot disable themself: the account stays active and the refusal is shown', async () => {
    const before = await snapshot();
    const res = await postForm(admin, `/admin/users/${org.admin.id}/active`, { active: '0' });
    expect(res.status).toBe(303);
    expect(await snapshot()).toEqual(before);
    const page = await admin.get(`/admin/users/${org.admin.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('You cannot disable or demote your own account.');
  });

  test('with another admin disabled, the remaining admin still cannot remove themself', async () => {
    const second = await buildUser(ctx.deps, 'admin');
    expect((await postForm(admin, `/admin/users/${second.id}/active`, { active: '0' })).status).toBe(303);
    const before = await snapshot();
    await postForm(admin, `/admin/users/${org.admin.id}/active`, { active: '0' });
    await postForm(admin, `/admin/users/${org.admin.id}`, { display_name: 'x', role: 'manager', team_id: '' });
    expect(await snapshot()).toEqual(before);
    const activeAdmins = before.users.filter((u) => u.role === 'admin' && u.active === 1);
    expect(activeAdmins.map((u) => u.id)).toEqual([org.admin.id]);
  });

  test('the last active admin cannot be disabled or demoted, whoever asks', async () => {
    const former = await buildUser(ctx.deps, 'admin');
    await updateUser(ctx.deps, { id: org.admin.id, role: 'admin' }, former.id, { active: false });
    const staleActor = { id: former.id, role: 'admin' as const };
    await expect(updateUser(ctx.deps, staleActor, org.admin.id, { active: false })).rejects.toMatchObject({
      status: 409,
      code: 'last_admin',
    });
    await expect(updateUser(ctx.deps, staleActor, org.admin.id, { role: 'manager' })).rejects.toMatchObject({
      status: 409,
      code: 'last_admin',
    });
    expect(await userRow(org.admin.id)).toMatchObject({ role: 'admin', active: 1 });
  });
});

describe('POST /api/v1/users', () => {
  let token: string;
  beforeEach(async () => {
    token = await bearerFor(org.admin.username);
  });

  function post(body: unknown) {
    return request(ctx.app)
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${token}`)
      .send(body as object);
  }

  test('creates a person (201) and audits it with the token user as actor', async () => {
    const res = await post(newPersonJson());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      username: 'dana.lopez',
      display_name: 'Dana Lopez',
      role: 'csr',
      team_id: org.teamA,
      active: true,
    });
    expect(res.body).not.toHaveProperty('password_hash');
    const dana = (await userByName('dana.lopez'))!;
    expect(res.body.id).toBe(dana.id);
    const audit = await auditFor(dana.id, 'user.created');
    expect(audit.map((a) => a.actor_id)).toEqual([org.admin.id]);
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['team_id as a string', { team_id: '1' }, 'team_id'],
    ['team_id as a fraction', { team_id: 1.5 }, 'team_id'],
    ['department_id as a string', { role: 'manager', team_id: null, department_id: '1' }, 'department_id'],
    ['username as a number', { username: 12345 }, 'username'],
    ['an over-long username', { username: 'u'.repeat(65) }, 'username'],
    ['an over-long display name', { display_name: 'D'.repeat(101) }, 'display_name'],
    ['a missing display name', { display_name: undefined }, 'display_name'],
    ['a missing password', { password: undefined }, 'password'],
    ['an unknown role', { role: 'owner' }, 'role'],
    ['a team that does not exist', { team_id: 999999 }, 'team_id'],
    ['a CSR without a team', { team_id: null }, 'team_id'],
  ])('%s is refused with 422 naming the field, and nothing is saved', async (_case, fields, path) => {
    const before = await snapshot();
    const res = await post(newPersonJson(fields));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(await snapshot()).toEqual(before);
  });

  test.each(badPasswords)('a password %s is refused with 422 and a message', async (_case, password, message) => {
    const before = await snapshot();
    const res = await post(newPersonJson({ password: password('dana.lopez') }));
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([{ path: 'password', message: expect.stringMatching(message) }]);
    expect(await snapshot()).toEqual(before);
  });

  test('a taken username, in any letter case, is a 409 and nothing is saved', async () => {
    const before = await snapshot();
    const res = await post(newPersonJson({ username: org.csrB.username.toUpperCase() }));
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({ code: 'duplicate', message: 'That username is taken.' });
    expect(await snapshot()).toEqual(before);
  });

  test('a non-admin token is refused with 403 and nothing is saved', async () => {
    const managerToken = await bearerFor(org.manager.username);
    const before = await snapshot();
    const res = await request(ctx.app)
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${managerToken}`)
      .send(newPersonJson());
    expect(res.status).toBe(403);
    expect(await snapshot()).toEqual(before);
  });
});

describe('PATCH /api/v1/users/:id', () => {
  let token: string;
  beforeEach(async () => {
    token = await bearerFor(org.admin.username);
  });

  function patch(id: number | string, body: unknown) {
    return request(ctx.app)
      .patch(`/api/v1/users/${id}`)
      .set('Authorization', `Bearer ${token}`)
      .send(body as object);
  }

  test('disables a person and audits it', async () => {
    const res = await patch(org.csrA.id, { active: false });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: org.csrA.id, active: false });
    expect((await userRow(org.csrA.id)).active).toBe(0);
    expect((await auditFor(org.csrA.id, 'user.disabled')).map((a) => a.actor_id)).toEqual([org.admin.id]);
  });

  test('moves a CSR to another team and audits the move', async () => {
    const res = await patch(org.csrA.id, { team_id: org.teamB });
    expect(res.status).toBe(200);
    expect(res.body.team_id).toBe(org.teamB);
    const supervisorB = await signIn(ctx.app, org.supervisorB.username);
    const supervisorA = await signIn(ctx.app, org.supervisorA.username);
    expect((await supervisorB.get(`/people/${org.csrA.id}`)).status).toBe(200);
    expect((await supervisorA.get(`/people/${org.csrA.id}`)).status).toBe(404);
    const audit = await auditFor(org.csrA.id, 'user.updated');
    expect(audit.map((a) => a.actor_id)).toEqual([org.admin.id]);
  });

  test('changes a role: a supervisor made a CSR in a team stops supervising', async () => {
    const res = await patch(org.supervisorB.id, { role: 'csr', team_id: org.teamA });
    expect(res.status).toBe(200);
    expect(await userRow(org.supervisorB.id)).toMatchObject({ role: 'csr', team_id: org.teamA });
    const supervised = await ctx.deps.db
      .selectFrom('team_supervisors')
      .select('team_id')
      .where('user_id', '=', org.supervisorB.id)
      .execute();
    expect(supervised).toEqual([]);
    expect(await auditFor(org.supervisorB.id, 'user.updated')).toHaveLength(1);
  });

  test('resets a password and audits the reset', async () => {
    const res = await patch(org.csrA.id, { password: NEW_PASSWORD });
    expect(res.status).toBe(200);
    expect(await canSignIn(org.csrA.username, NEW_PASSWORD)).toBe(true);
    expect((await auditFor(org.csrA.id, 'user.password_reset')).map((a) => a.actor_id)).toEqual([org.admin.id]);
  });

  test.each<[string, Record<string, unknown>]>([
    ['active as "yes"', { active: 'yes' }],
    ['active as 1', { active: 1 }],
    ['team_id as a string', { team_id: '1' }],
    ['an unknown role', { role: 'owner' }],
    ['an over-long display name', { display_name: 'N'.repeat(101) }],
    ['a blank display name', { display_name: '' }],
    ['a field that cannot be patched', { username: 'renamed' }],
    ['a CSR without a team', { team_id: null }],
    ['a team that does not exist', { team_id: 999999 }],
  ])('%s is refused with 422 and the person is unchanged', async (_case, body) => {
    const before = await snapshot();
    const res = await patch(org.csrA.id, body);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(await snapshot()).toEqual(before);
  });

  test.each(badPasswords)('a password %s is refused with 422', async (_case, password, message) => {
    const victim = await buildVictim();
    const before = await snapshot();
    const res = await patch(victim.id, { password: password(victim.username) });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([{ path: 'password', message: expect.stringMatching(message) }]);
    expect(await snapshot()).toEqual(before);
  });

  test('an unknown or malformed id is 404 and nothing changes', async () => {
    const before = await snapshot();
    expect((await patch(999999, { active: false })).status).toBe(404);
    expect((await patch('abc', { active: false })).status).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  test('an admin cannot disable or demote themself through the API', async () => {
    const before = await snapshot();
    const disable = await patch(org.admin.id, { active: false });
    const demote = await patch(org.admin.id, { role: 'manager' });
    expect(disable.status).toBe(409);
    expect(demote.status).toBe(409);
    expect(disable.body.error.code).toBe('self_change');
    expect(await snapshot()).toEqual(before);
  });

  test('another admin can be demoted while one active admin remains', async () => {
    const second = await buildUser(ctx.deps, 'admin');
    const res = await patch(second.id, { role: 'manager' });
    expect(res.status).toBe(200);
    expect((await userRow(second.id)).role).toBe('manager');
  });
});
