import request from 'supertest';
import { updateUser } from '../../src/users/users.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, PASSWORD, type Org } from '../helpers/builders';
import { csrfFrom, postForm, signIn, type Agent } from '../helpers/http';

let ctx: TestContext;
let org: Org;
let admin: Agent;

beforeEach(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  admin = await signIn(ctx.app, org.admin.username);
});
afterEach(async () => ctx.close());

/** What every refused change must leave alone. */
async function snapshot() {
  const db = ctx.deps.db;
  return {
    departments: await db.selectFrom('departments').selectAll().orderBy('id').execute(),
    teams: await db.selectFrom('teams').selectAll().orderBy('id').execute(),
    supervisors: await db.selectFrom('team_supervisors').selectAll().orderBy('team_id').orderBy('user_id').execute(),
    audit: (await db.selectFrom('audit_log').select('id').execute()).length,
  };
}

async function departmentNamed(name: string) {
  return ctx.deps.db.selectFrom('departments').selectAll().where('name', '=', name).executeTakeFirst();
}

async function departmentRow(id: number) {
  return ctx.deps.db.selectFrom('departments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function supervisorIdsOf(teamId: number): Promise<number[]> {
  const rows = await ctx.deps.db
    .selectFrom('team_supervisors')
    .select('user_id')
    .where('team_id', '=', teamId)
    .orderBy('user_id')
    .execute();
  return rows.map((r) => r.user_id);
}

async function auditFor(entityType: string, entityId: number, action: string) {
  return ctx.deps.db
    .selectFrom('audit_log')
    .selectAll()
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .where('action', '=', action)
    .execute();
}

/** The message shown beside a form field, or null when the field has none. */
function fieldError(html: string, field: string): string | null {
  const match = new RegExp(`id="${field}-error" class="field-error">([^<]*)<`).exec(html);
  return match ? match[1] : null;
}

async function bearerFor(username: string): Promise<string> {
  // The session's CSRF token rides along so these tests do not hinge on the cookie-less path,
  // which test/security/access.test.ts checks on its own.
  const agent = request.agent(ctx.app);
  const csrf = await csrfFrom(agent, '/login');
  const res = await agent
    .post('/api/v1/tokens')
    .set('X-CSRF-Token', csrf)
    .send({ username, password: PASSWORD, name: 'org tests' });
  if (res.status !== 201) throw new Error(`token for ${username}: ${res.status} ${res.text}`);
  return (res.body as { token: string }).token;
}

function departmentForm(overrides: Record<string, string> = {}): Record<string, string> {
  return { name: 'Retention', manager: org.manager.username, budget: '1250.50', budget_period: 'month', ...overrides };
}

describe('the org page', () => {
  test('lists departments with manager and budget, and teams with supervisors and CSR counts', async () => {
    const res = await admin.get('/admin/org');
    expect(res.status).toBe(200);
    expect(res.text).toContain(`/admin/departments/${org.departmentId}"`);
    expect(res.text).toContain(org.manager.display_name);
    expect(res.text).toContain('$1,000.00');
    expect(res.text).toContain(`/admin/teams/${org.teamA}"`);
    expect(res.text).toContain(org.supervisorA.display_name);
    expect(res.text).toMatch(/Team A<\/a><\/td>\s*<td>[^<]+<\/td>\s*<td>[^<]+<\/td>\s*<td class="num">2<\/td>/);
    expect(res.text).toContain(`value="${org.supervisorB.username}"`);
  });
});

describe('creating a department through the form', () => {
  test.each<[string, number]>([
    ['1250.50', 125050],
    ['1250.5', 125050],
    ['1250', 125000],
    ['0.99', 99],
    [' 42 ', 4200],
    ['1250,50', 125050],
    ['1000000000.00', 100_000_000_000],
  ])('a budget of "%s" is stored as %i cents', async (budget, cents) => {
    const res = await postForm(admin, '/admin/departments', departmentForm({ budget }));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/org');
    expect(await departmentNamed('Retention')).toMatchObject({
      budget_cents: cents,
      budget_period: 'month',
      manager_id: org.manager.id,
    });
  });

  test('the new department is listed with its budget, and its creation is audited', async () => {
    await postForm(admin, '/admin/departments', departmentForm());
    const department = (await departmentNamed('Retention'))!;
    const page = await admin.get('/admin/org');
    expect(page.text).toContain('Department Retention created.');
    expect(page.text).toContain('$1,250.50');
    const audit = await auditFor('department', department.id, 'department.created');
    expect(audit.map((a) => a.actor_id)).toEqual([org.admin.id]);
  });

  test.each(['12.345', '-5', 'abc', '1e3', '1,250.50', '$100', '1000000000.01'])(
    'a budget of "%s" is refused with 422 beside the budget field, keeping the values, saving nothing',
    async (budget) => {
      const before = await snapshot();
      const res = await postForm(admin, '/admin/departments', departmentForm({ budget }));
      expect(res.status).toBe(422);
      expect(fieldError(res.text, 'budget')).toMatch(/budget/i);
      expect(res.text).toContain('value="Retention"');
      expect(await snapshot()).toEqual(before);
    },
  );

  test.each<[string, (o: Org) => Record<string, string>, string, RegExp]>([
    ['a missing name', () => ({ name: '' }), 'name', /is required/],
    ['an over-long name', () => ({ name: 'N'.repeat(101) }), 'name', /at most 100 characters/],
    ['an unknown manager', () => ({ manager: 'nobody.here' }), 'manager', /not an active manager/],
    ['a supervisor as manager', (o) => ({ manager: o.supervisorA.username }), 'manager', /not an active manager/],
    ['an unknown budget period', () => ({ budget_period: 'week' }), 'budget_period', /month, quarter or year/],
  ])('%s is refused with 422 beside the field and saves nothing', async (_case, fields, field, message) => {
    const before = await snapshot();
    const res = await postForm(admin, '/admin/departments', departmentForm(fields(org)));
    expect(res.status).toBe(422);
    expect(fieldError(res.text, field)).toMatch(message);
    expect(await snapshot()).toEqual(before);
  });

  test('a disabled manager cannot be given a department', async () => {
    await updateUser(ctx.deps, { id: org.admin.id, role: 'admin' }, org.otherManager.id, { active: false });
    const before = await snapshot();
    const res = await postForm(admin, '/admin/departments', departmentForm({ manager: org.otherManager.username }));
    expect(res.status).toBe(422);
    expect(await snapshot()).toEqual(before);
  });

  test('a name already used (in any letter case) is a 409 with the message, keeping the values', async () => {
    const existing = await departmentRow(org.departmentId);
    const before = await snapshot();
    const res = await postForm(admin, '/admin/departments', departmentForm({ name: existing.name.toUpperCase() }));
    expect(res.status).toBe(409);
    expect(fieldError(res.text, 'name')).toBe('A department with that name exists.');
    expect(res.text).toContain(`value="${existing.name.toUpperCase()}"`);
    expect(res.text).toContain('value="1250.50"');
    expect(await snapshot()).toEqual(before);
  });
});

describe('editing a department', () => {
  test('the edit page shows the budget in currency units and the current manager', async () => {
    const res = await admin.get(`/admin/departments/${org.departmentId}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('value="1000.00"');
    expect(res.text).toContain(`<option value="${org.manager.username}" selected>`);
  });

  test('saving changes the budget, manager and period, and is audited', async () => {
    const res = await postForm(admin, `/admin/departments/${org.departmentId}`, {
      name: 'Care and Support',
      manager: org.otherManager.username,
      budget: '99.99',
      budget_period: 'year',
    });
    expect(res.status).toBe(303);
    expect(await departmentRow(org.departmentId)).toMatchObject({
      name: 'Care and Support',
      manager_id: org.otherManager.id,
      budget_cents: 9999,
      budget_period: 'year',
    });
    const audit = await auditFor('department', org.departmentId, 'department.updated');
    expect(audit.map((a) => a.actor_id)).toEqual([org.admin.id]);
  });

  test('a bad amount on the edit form is refused with 422 and the department is unchanged', async () => {
    const before = await snapshot();
    const res = await postForm(admin, `/admin/departments/${org.departmentId}`, departmentForm({ budget: '12.345' }));
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'budget')).toMatch(/budget/i);
    expect(res.text).toContain('value="12.345"');
    expect(await snapshot()).toEqual(before);
  });

  test('renaming to another department’s name is a 409 and changes nothing', async () => {
    const other = await departmentRow(org.otherDepartmentId);
    const before = await snapshot();
    const res = await postForm(admin, `/admin/departments/${org.departmentId}`, departmentForm({ name: other.name }));
    expect(res.status).toBe(409);
    expect(fieldError(res.text, 'name')).toBe('A department with that name exists.');
    expect(await snapshot()).toEqual(before);
  });

  test('an unknown department is 404 to view and to save', async () => {
    const before = await snapshot();
    expect((await admin.get('/admin/departments/999999')).status).toBe(404);
    expect((await admin.get('/admin/departments/abc')).status).toBe(404);
    expect((await postForm(admin, '/admin/departments/999999', departmentForm())).status).toBe(404);
    expect(await snapshot()).toEqual(before);
  });
});

describe('creating a team through the form', () => {
  test('the checked supervisors become the team’s supervisors, and the creation is audited', async () => {
    const res = await postForm(admin, '/admin/teams', {
      name: 'Night shift',
      department_id: String(org.departmentId),
      supervisors: [org.supervisorA.username, org.supervisorB.username],
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/org');
    const team = await ctx.deps.db
      .selectFrom('teams')
      .selectAll()
      .where('name', '=', 'Night shift')
      .executeTakeFirstOrThrow();
    expect(team.department_id).toBe(org.departmentId);
    expect(await supervisorIdsOf(team.id)).toEqual([org.supervisorA.id, org.supervisorB.id].sort((a, b) => a - b));
    const audit = await auditFor('team', team.id, 'team.created');
    expect(audit.map((a) => a.actor_id)).toEqual([org.admin.id]);
  });

  test('one checked supervisor is taken as a list of one', async () => {
    await postForm(admin, '/admin/teams', {
      name: 'Weekend',
      department_id: String(org.otherDepartmentId),
      supervisors: org.otherSupervisor.username,
    });
    const team = await ctx.deps.db
      .selectFrom('teams')
      .selectAll()
      .where('name', '=', 'Weekend')
      .executeTakeFirstOrThrow();
    expect(await supervisorIdsOf(team.id)).toEqual([org.otherSupervisor.id]);
  });

  test('the same team name is allowed in another department', async () => {
    const res = await postForm(admin, '/admin/teams', {
      name: 'Team A',
      department_id: String(org.otherDepartmentId),
    });
    expect(res.status).toBe(303);
    const teams = await ctx.deps.db.selectFrom('teams').select('department_id').where('name', '=', 'Team A').execute();
    expect(teams.map((t) => t.department_id).sort()).toEqual([org.departmentId, org.otherDepartmentId].sort());
  });

  test.each<[string, (o: Org) => Record<string, unknown>, number, string, RegExp]>([
    ['a missing name', (o) => ({ name: '', department_id: String(o.departmentId) }), 422, 'name', /is required/],
    [
      'an over-long name',
      (o) => ({ name: 'T'.repeat(101), department_id: String(o.departmentId) }),
      422,
      'name',
      /at most 100/,
    ],
    ['an unknown department', () => ({ name: 'X', department_id: '999999' }), 422, 'department_id', /No such/],
    ['a department that is not a number', () => ({ name: 'X', department_id: 'abc' }), 422, 'department_id', /./],
    [
      'an unknown supervisor',
      (o) => ({ name: 'X', department_id: String(o.departmentId), supervisors: 'nobody.here' }),
      422,
      'supervisors',
      /not an active supervisor/,
    ],
    [
      'a CSR checked as supervisor',
      (o) => ({
        name: 'X',
        department_id: String(o.departmentId),
        supervisors: [o.supervisorA.username, o.csrA.username],
      }),
      422,
      'supervisors',
      /not an active supervisor/,
    ],
    [
      'a name the department already has (any case)',
      (o) => ({ name: 'team a', department_id: String(o.departmentId) }),
      409,
      'name',
      /already has a team with that name/,
    ],
  ])('%s is refused and saves nothing', async (_case, fields, status, field, message) => {
    const before = await snapshot();
    const res = await postForm(admin, '/admin/teams', fields(org));
    expect(res.status).toBe(status);
    expect(fieldError(res.text, field)).toMatch(message);
    expect(await snapshot()).toEqual(before);
  });
});

describe('editing a team', () => {
  test('the edit page checks the current supervisors only', async () => {
    const res = await admin.get(`/admin/teams/${org.teamA}`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(new RegExp(`value="${org.supervisorA.username}" checked>`));
    expect(res.text).not.toMatch(new RegExp(`value="${org.supervisorB.username}" checked>`));
  });

  test('saving replaces the supervisors, and the old supervisor loses sight of the team’s CSRs', async () => {
    const oldSupervisor = await signIn(ctx.app, org.supervisorA.username);
    const newSupervisor = await signIn(ctx.app, org.supervisorB.username);
    expect((await newSupervisor.get(`/people/${org.csrA.id}`)).status).toBe(404);
    const res = await postForm(admin, `/admin/teams/${org.teamA}`, {
      name: 'Team A',
      department_id: String(org.departmentId),
      supervisors: [org.supervisorB.username],
    });
    expect(res.status).toBe(303);
    expect(await supervisorIdsOf(org.teamA)).toEqual([org.supervisorB.id]);
    expect((await oldSupervisor.get(`/people/${org.csrA.id}`)).status).toBe(404);
    expect((await newSupervisor.get(`/people/${org.csrA.id}`)).status).toBe(200);
    const audit = await auditFor('team', org.teamA, 'team.updated');
    expect(audit.map((a) => a.actor_id)).toEqual([org.admin.id]);
  });

  test('moving a team to another department moves it into that manager’s scope', async () => {
    const manager = await signIn(ctx.app, org.manager.username);
    const otherManager = await signIn(ctx.app, org.otherManager.username);
    const res = await postForm(admin, `/admin/teams/${org.teamA}`, {
      name: 'Team A',
      department_id: String(org.otherDepartmentId),
      supervisors: [org.supervisorA.username],
    });
    expect(res.status).toBe(303);
    expect((await manager.get(`/people/${org.csrA.id}`)).status).toBe(404);
    expect((await otherManager.get(`/people/${org.csrA.id}`)).status).toBe(200);
  });

  test('a CSR as supervisor on the edit form is refused with 422 and the team is unchanged', async () => {
    const before = await snapshot();
    const res = await postForm(admin, `/admin/teams/${org.teamA}`, {
      name: 'Team A',
      department_id: String(org.departmentId),
      supervisors: [org.csrA.username],
    });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'supervisors')).toMatch(/not an active supervisor/);
    expect(await snapshot()).toEqual(before);
  });

  test('an unknown team is 404 to view and to save', async () => {
    const before = await snapshot();
    expect((await admin.get('/admin/teams/999999')).status).toBe(404);
    const res = await postForm(admin, '/admin/teams/999999', { name: 'X', department_id: String(org.departmentId) });
    expect(res.status).toBe(404);
    expect(await snapshot()).toEqual(before);
  });
});

describe('POST /api/v1/departments', () => {
  let token: string;
  beforeEach(async () => {
    token = await bearerFor(org.admin.username);
  });

  function post(body: Record<string, unknown>) {
    return request(ctx.app).post('/api/v1/departments').set('Authorization', `Bearer ${token}`).send(body);
  }

  const valid = () => ({
    name: 'Retention',
    manager: org.manager.username,
    budget_cents: 125050,
    budget_period: 'year',
  });

  test('creates a department (201) with the manager resolved from the username, and audits it', async () => {
    const res = await post(valid());
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Retention',
      manager_id: org.manager.id,
      budget_cents: 125050,
      budget_period: 'year',
    });
    expect(Number.isInteger(res.body.id)).toBe(true);
    expect(await departmentRow(res.body.id)).toMatchObject({ name: 'Retention', budget_cents: 125050 });
    const audit = await auditFor('department', res.body.id, 'department.created');
    expect(audit.map((a) => a.actor_id)).toEqual([org.admin.id]);
  });

  test('a name already used, in any letter case, is a 409 and saves nothing', async () => {
    const existing = await departmentRow(org.departmentId);
    const before = await snapshot();
    const res = await post({ ...valid(), name: existing.name.toLowerCase() });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('duplicate');
    expect(await snapshot()).toEqual(before);
  });

  test.each<[string, (o: Org) => Record<string, unknown>, string]>([
    ['an unknown manager username', () => ({ manager: 'nobody.here' }), 'manager'],
    ['a supervisor named as manager', (o) => ({ manager: o.supervisorA.username }), 'manager'],
    ['a CSR named as manager', (o) => ({ manager: o.csrA.username }), 'manager'],
    ['a negative budget', () => ({ budget_cents: -1 }), 'budget_cents'],
    ['a budget in fractions of a cent', () => ({ budget_cents: 12.5 }), 'budget_cents'],
    ['a budget that is not a number', () => ({ budget_cents: 'lots' }), 'budget_cents'],
    ['a budget given as a boolean', () => ({ budget_cents: true }), 'budget_cents'],
    ['a budget given as a numeric string', () => ({ budget_cents: '125050' }), 'budget_cents'],
    ['an unknown budget period', () => ({ budget_period: 'week' }), 'budget_period'],
    ['a missing name', () => ({ name: undefined }), 'name'],
    ['an over-long name', () => ({ name: 'N'.repeat(101) }), 'name'],
  ])('%s is refused with 422 naming the field, and saves nothing', async (_case, fields, path) => {
    const before = await snapshot();
    const res = await post({ ...valid(), ...fields(org) });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(await snapshot()).toEqual(before);
  });
});

describe('POST /api/v1/teams', () => {
  let token: string;
  beforeEach(async () => {
    token = await bearerFor(org.admin.username);
  });

  function post(body: Record<string, unknown>) {
    return request(ctx.app).post('/api/v1/teams').set('Authorization', `Bearer ${token}`).send(body);
  }

  test('creates a team (201) with its supervisors, and audits it', async () => {
    const res = await post({
      name: 'Night shift',
      department_id: org.departmentId,
      supervisors: [org.supervisorA.username, org.supervisorB.username],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Night shift', department_id: org.departmentId });
    expect([...res.body.supervisors].sort()).toEqual([org.supervisorA.username, org.supervisorB.username].sort());
    expect(await supervisorIdsOf(res.body.id)).toEqual([org.supervisorA.id, org.supervisorB.id].sort((a, b) => a - b));
    const audit = await auditFor('team', res.body.id, 'team.created');
    expect(audit.map((a) => a.actor_id)).toEqual([org.admin.id]);
  });

  test('a name the department already has is a 409; the same name elsewhere is fine', async () => {
    const before = await snapshot();
    const duplicate = await post({ name: 'TEAM A', department_id: org.departmentId, supervisors: [] });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('duplicate');
    expect(await snapshot()).toEqual(before);
    const elsewhere = await post({ name: 'Team A', department_id: org.otherDepartmentId, supervisors: [] });
    expect(elsewhere.status).toBe(201);
  });

  test.each<[string, (o: Org) => Record<string, unknown>, string]>([
    ['an unknown department', () => ({ department_id: 999999 }), 'department_id'],
    ['a department id that is not a number', () => ({ department_id: 'care' }), 'department_id'],
    ['a department id given as a boolean', () => ({ department_id: true }), 'department_id'],
    ['a department id given as a numeric string', (o) => ({ department_id: String(o.departmentId) }), 'department_id'],
    ['a missing department', () => ({ department_id: undefined }), 'department_id'],
    ['an unknown supervisor username', () => ({ supervisors: ['nobody.here'] }), 'supervisors'],
    ['a CSR as supervisor', (o) => ({ supervisors: [o.csrA.username] }), 'supervisors'],
    ['a manager as supervisor', (o) => ({ supervisors: [o.manager.username] }), 'supervisors'],
    ['a missing name', () => ({ name: undefined }), 'name'],
  ])('%s is refused with 422 naming the field, and saves nothing', async (_case, fields, path) => {
    const before = await snapshot();
    const res = await post({
      name: 'Night shift',
      department_id: org.departmentId,
      supervisors: [org.supervisorA.username],
      ...fields(org),
    });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path.split('.')[0])).toContain(path);
    expect(await snapshot()).toEqual(before);
  });

  test('a disabled supervisor cannot be given a team', async () => {
    await updateUser(ctx.deps, { id: org.admin.id, role: 'admin' }, org.supervisorB.id, { active: false });
    const before = await snapshot();
    const res = await post({
      name: 'Night shift',
      department_id: org.departmentId,
      supervisors: [org.supervisorB.username],
    });
    expect(res.status).toBe(422);
    expect(await snapshot()).toEqual(before);
  });
});
