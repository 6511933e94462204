import request from 'supertest';
import type { User } from '../../src/db/schema';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, buildUser, PASSWORD, type Org } from '../helpers/builders';
import { csrfFrom, signIn, type Agent } from '../helpers/http';

type Who = 'admin' | 'manager' | 'supervisor' | 'csr' | 'signed out';
type Staff = Exclude<Who, 'signed out'>;
/** Signed out: a page may answer 401 or send the browser to the login page. */
type Expected = number | 'sign-in';

let ctx: TestContext;
let org: Org;
let victim: User;
let agents: Record<Staff, Agent>;
let anonymous: Agent;
let tokens: Record<Staff, string>;
let calls: { teamA: number; other: number; throwaway: number };
let topicIds: { kept: number; throwaway: number };
let serial = 0;

/** A call pushed in as the phone system does (multipart, bearer token); returns its id. */
async function pushCall(token: string, agent: string): Promise<number> {
  const res = await request(ctx.app)
    .post('/api/v1/calls')
    .set('Authorization', `Bearer ${token}`)
    .field('external_id', `seed-${++serial}`)
    .field('agent', agent)
    .field('started_at', '2026-11-20T10:00:00Z')
    .field('direction', 'inbound')
    .field('duration_s', '240');
  if (res.status !== 201) throw new Error(`call for ${agent}: ${res.status} ${res.text}`);
  return (res.body as { id: number }).id;
}

/** A bearer token through POST /api/v1/tokens, from a client that already holds a CSRF token. */
async function bearerFor(username: string): Promise<string> {
  // The cookie-less path is checked on its own below; this keeps the access table independent of it.
  const agent = request.agent(ctx.app);
  const csrf = await csrfFrom(agent, '/login');
  const res = await agent
    .post('/api/v1/tokens')
    .set('X-CSRF-Token', csrf)
    .send({ username, password: PASSWORD, name: 'access table' });
  if (res.status !== 201) throw new Error(`token for ${username}: ${res.status} ${res.text}`);
  return (res.body as { token: string }).token;
}

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  victim = await buildUser(ctx.deps, 'csr', { username: 'victim.csr', team_id: org.teamB });
  agents = {
    admin: await signIn(ctx.app, org.admin.username),
    manager: await signIn(ctx.app, org.manager.username),
    supervisor: await signIn(ctx.app, org.supervisorA.username),
    csr: await signIn(ctx.app, org.csrA.username),
  };
  anonymous = request.agent(ctx.app);
  tokens = {
    admin: await bearerFor(org.admin.username),
    manager: await bearerFor(org.manager.username),
    supervisor: await bearerFor(org.supervisorA.username),
    csr: await bearerFor(org.csrA.username),
  };
  const topic = (name: string) =>
    ctx.deps.db
      .insertInto('topics')
      .values({
        name,
        rule: '{"phrase":{"any_of":["refund"]}}',
        created_at: '2026-11-01T00:00:00.000Z',
        updated_at: '2026-11-01T00:00:00.000Z',
      })
      .returning('id')
      .executeTakeFirstOrThrow()
      .then((r) => r.id);
  topicIds = { kept: await topic('Kept topic'), throwaway: await topic('Throwaway topic') };
  calls = {
    teamA: await pushCall(tokens.admin, org.csrA.username),
    other: await pushCall(tokens.admin, org.otherCsr.username),
    throwaway: await pushCall(tokens.admin, org.csrB.username),
  };
});
afterAll(async () => ctx.close());

async function counts() {
  const db = ctx.deps.db;
  const n = async (table: 'users' | 'departments' | 'teams' | 'audit_log') =>
    (await db.selectFrom(table).select('id').execute()).length;
  return {
    users: await n('users'),
    departments: await n('departments'),
    teams: await n('teams'),
    audit: await n('audit_log'),
  };
}

function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/\bat .+[(/\\].+:\d+:\d+/);
  expect(text).not.toContain('node_modules');
  expect(text).not.toMatch(/ReferenceError|TypeError|SyntaxError/);
}

// ---------------------------------------------------------------------------------------------
// The access table: every page and API route that exists now, for every role and for nobody.

interface Route {
  route: string;
  send: (who: Who) => Promise<request.Response>;
  expected: Record<Who, Expected>;
}

function page(path: () => string) {
  return (who: Who) => (who === 'signed out' ? request(ctx.app) : agents[who]).get(path());
}

function form(path: () => string, fields: () => Record<string, string | string[]>) {
  return async (who: Who) => {
    const agent = who === 'signed out' ? anonymous : agents[who];
    const csrf = await csrfFrom(agent, who === 'signed out' ? '/login' : '/profile');
    return agent
      .post(path())
      .type('form')
      .send({ ...fields(), _csrf: csrf });
  };
}

/** A multipart form: the CSRF token is its first field, as in the upload forms. */
function upload(path: () => string, fields: () => Record<string, string>, file?: () => [string, string]) {
  return async (who: Who) => {
    const agent = who === 'signed out' ? anonymous : agents[who];
    const csrf = await csrfFrom(agent, who === 'signed out' ? '/login' : '/profile');
    let req = agent.post(path()).field('_csrf', csrf);
    for (const [name, value] of Object.entries(fields())) req = req.field(name, value);
    if (file) {
      const [name, content] = file();
      req = req.attach(name, Buffer.from(content), { filename: `${name}.csv`, contentType: 'text/csv' });
    }
    return req;
  };
}

function api(method: 'get' | 'post' | 'patch', path: () => string, body?: () => Record<string, unknown>) {
  return (who: Who) => {
    let req = request(ctx.app)[method](path());
    if (who !== 'signed out') req = req.set('Authorization', `Bearer ${tokens[who]}`);
    return body ? req.send(body()) : req;
  };
}

const everyone = (status: number): Record<Who, Expected> => ({
  admin: status,
  manager: status,
  supervisor: status,
  csr: status,
  'signed out': 'sign-in',
});
const adminOnly = (status: number, signedOut: Expected = 'sign-in'): Record<Who, Expected> => ({
  admin: status,
  manager: 403,
  supervisor: 403,
  csr: 403,
  'signed out': signedOut,
});
const importers = (status: number, signedOut: Expected = 'sign-in'): Record<Who, Expected> => ({
  admin: status,
  manager: status,
  supervisor: 403,
  csr: 403,
  'signed out': signedOut,
});
const staffOnly = (status: number): Record<Who, Expected> => ({
  admin: status,
  manager: status,
  supervisor: status,
  csr: 403,
  'signed out': 'sign-in',
});

const callCsv = () =>
  `external_id,agent,started_at,direction,duration_s\ncsv-${++serial},${org.csrA.username},2026-11-21T09:00:00Z,inbound,60\n`;
const callFields = () => ({
  external_id: `form-${++serial}`,
  agent: org.csrA.username,
  started_at: '2026-11-22T09:00:00Z',
  direction: 'inbound',
  duration_s: '90',
});

const RISK_PAGES = [
  '/evaluations?risk=any&sort=risk',
  '/evaluations?risk=dead_air',
  '/evaluations?risk=low_csat',
  '/sampling',
];

const routes: Route[] = [
  { route: 'GET /', send: page(() => '/'), expected: everyone(200) },
  { route: 'GET /profile', send: page(() => '/profile'), expected: everyone(200) },
  // Risk flags (dead air, overtalk, low CSAT, a critical item failed automatically): only on staff pages, the
  // review queue's filter and sort, and the sampling overview; a CSR meets none of them.
  ...RISK_PAGES.map((path) => ({
    route: `GET ${path}`,
    send: page(() => path),
    expected: staffOnly(200),
  })),
  { route: 'GET /admin/users', send: page(() => '/admin/users'), expected: adminOnly(200) },
  { route: 'GET /admin/users/new', send: page(() => '/admin/users/new'), expected: adminOnly(200) },
  { route: 'GET /admin/users/:id', send: page(() => `/admin/users/${victim.id}`), expected: adminOnly(200) },
  { route: 'GET /admin/org', send: page(() => '/admin/org'), expected: adminOnly(200) },
  {
    route: 'GET /admin/departments/:id',
    send: page(() => `/admin/departments/${org.departmentId}`),
    expected: adminOnly(200),
  },
  { route: 'GET /admin/teams/:id', send: page(() => `/admin/teams/${org.teamA}`), expected: adminOnly(200) },
  { route: 'GET /admin/audit', send: page(() => '/admin/audit'), expected: adminOnly(200) },
  { route: 'GET /admin/security', send: page(() => '/admin/security'), expected: adminOnly(200) },
  { route: 'GET /profile/second-factor', send: page(() => '/profile/second-factor'), expected: everyone(200) },
  {
    route: 'POST /admin/security/users/:id/reset',
    send: form(
      () => `/admin/security/users/${victim.id}/reset`,
      () => ({}),
    ),
    expected: adminOnly(303),
  },
  { route: 'GET /people', send: page(() => '/people'), expected: staffOnly(200) },
  {
    route: 'POST /profile/tokens',
    send: form(
      () => '/profile/tokens',
      () => ({ name: `table token ${++serial}` }),
    ),
    expected: everyone(201),
  },
  {
    route: 'POST /admin/users',
    send: form(
      () => '/admin/users',
      () => ({
        username: `made.by.form${++serial}`,
        display_name: 'Form Person',
        password: 'an uncommon long passphrase',
        role: 'csr',
        team_id: String(org.teamB),
      }),
    ),
    expected: adminOnly(303),
  },
  {
    route: 'POST /admin/users/:id',
    send: form(
      () => `/admin/users/${victim.id}`,
      () => ({ display_name: `Victim ${++serial}`, role: 'csr', team_id: String(org.teamB) }),
    ),
    expected: adminOnly(303),
  },
  {
    route: 'POST /admin/users/:id/password',
    send: form(
      () => `/admin/users/${victim.id}/password`,
      () => ({ password: `a new passphrase number ${++serial}` }),
    ),
    expected: adminOnly(303),
  },
  {
    route: 'POST /admin/users/:id/active',
    send: form(
      () => `/admin/users/${victim.id}/active`,
      () => ({ active: '1' }),
    ),
    expected: adminOnly(303),
  },
  {
    route: 'POST /admin/departments',
    send: form(
      () => '/admin/departments',
      () => ({ name: `Form department ${++serial}`, manager: '', budget: '10.00', budget_period: 'month' }),
    ),
    expected: adminOnly(303),
  },
  {
    route: 'POST /admin/departments/:id',
    send: form(
      () => `/admin/departments/${org.otherDepartmentId}`,
      () => ({ name: `Sales ${++serial}`, manager: org.otherManager.username, budget: '0', budget_period: 'quarter' }),
    ),
    expected: adminOnly(303),
  },
  {
    route: 'POST /admin/teams',
    send: form(
      () => '/admin/teams',
      () => ({ name: `Form team ${++serial}`, department_id: String(org.otherDepartmentId) }),
    ),
    expected: adminOnly(303),
  },
  {
    route: 'POST /admin/teams/:id',
    send: form(
      () => `/admin/teams/${org.otherTeam}`,
      () => ({
        name: 'Other',
        department_id: String(org.otherDepartmentId),
        supervisors: [org.otherSupervisor.username],
      }),
    ),
    expected: adminOnly(303),
  },
  { route: 'GET /admin/settings', send: page(() => '/admin/settings'), expected: adminOnly(200) },
  // Call topics: a CSR finds no such pages at all (silent monitoring); other staff are refused as on any admin page.
  { route: 'GET /admin/topics', send: page(() => '/admin/topics'), expected: { ...adminOnly(200), csr: 404 } },
  {
    route: 'POST /admin/topics',
    send: form(
      () => '/admin/topics',
      () => ({ name: `Access topic ${++serial}`, rule: '{"phrase": {"any_of": ["refund"]}}', active: 'on' }),
    ),
    expected: { ...adminOnly(303), csr: 404 },
  },
  {
    route: 'GET /admin/topics/:id',
    send: page(() => `/admin/topics/${topicIds.kept}`),
    expected: { ...adminOnly(200), csr: 404 },
  },
  {
    route: 'POST /admin/topics/:id',
    send: form(
      () => `/admin/topics/${topicIds.kept}`,
      () => ({ name: 'Kept topic', rule: '{"phrase": {"any_of": ["refund"]}}' }),
    ),
    expected: { ...adminOnly(303), csr: 404 },
  },
  // The topic form's dry run ("Try it", and the JSON its script reads): admins only, nothing saved.
  {
    route: 'GET /admin/topics/dry-run',
    send: page(() => `/admin/topics/dry-run?rule=${encodeURIComponent('{"phrase": {"any_of": ["refund"]}}')}`),
    expected: { ...adminOnly(200), csr: 404 },
  },
  {
    route: 'POST /admin/topics/dry-run',
    send: form(
      () => '/admin/topics/dry-run',
      () => ({ name: 'Tried topic', rule: '{"phrase": {"any_of": ["refund"]}}' }),
    ),
    expected: { ...adminOnly(200), csr: 404 },
  },
  {
    route: 'POST /admin/topics/:id/dry-run',
    send: form(
      () => `/admin/topics/${topicIds.kept}/dry-run`,
      () => ({ name: 'Kept topic', rule: '{"phrase": {"any_of": ["refund"]}}' }),
    ),
    expected: { ...adminOnly(200), csr: 404 },
  },
  {
    route: 'POST /admin/topics/:id/delete',
    send: form(
      () => `/admin/topics/${topicIds.throwaway + 1000}`,
      () => ({}),
    ),
    // A topic that does not exist: only an admin learns so.
    expected: { ...adminOnly(404), csr: 404 },
  },
  {
    route: 'POST /admin/settings',
    send: form(
      () => '/admin/settings',
      () => ({ recording_retention_days: '0' }),
    ),
    expected: adminOnly(303),
  },
  { route: 'GET /calls', send: page(() => '/calls'), expected: staffOnly(200) },
  { route: 'GET /calls/new', send: page(() => '/calls/new'), expected: staffOnly(200) },
  { route: 'GET /calls/bulk', send: page(() => '/calls/bulk'), expected: staffOnly(200) },
  { route: 'GET /calls/import', send: page(() => '/calls/import'), expected: importers(200) },
  {
    route: 'GET /calls/:id (a call of team A)',
    send: page(() => `/calls/${calls.teamA}`),
    expected: { ...staffOnly(200), csr: 404 },
  },
  {
    route: 'GET /calls/:id (a call of the other department)',
    send: page(() => `/calls/${calls.other}`),
    expected: { admin: 200, manager: 404, supervisor: 404, csr: 404, 'signed out': 'sign-in' },
  },
  { route: 'POST /calls', send: upload(() => '/calls', callFields), expected: staffOnly(303) },
  {
    route: 'POST /calls/import',
    send: upload(
      () => '/calls/import',
      () => ({}),
      () => ['csv', callCsv()],
    ),
    // 303 to the import's own page; the import itself runs after the answer (settled below).
    expected: importers(303),
  },
  {
    route: 'POST /calls/:id/delete',
    send: form(
      () => `/calls/${calls.throwaway}/delete`,
      () => ({}),
    ),
    expected: adminOnly(303),
  },
  {
    route: 'GET /api/v1/me',
    send: api('get', () => '/api/v1/me'),
    expected: { ...everyone(200), 'signed out': 401 },
  },
  {
    route: 'GET /api/v1/me/totp',
    send: api('get', () => '/api/v1/me/totp'),
    expected: { ...everyone(200), 'signed out': 401 },
  },
  {
    route: 'POST /api/v1/users',
    send: api(
      'post',
      () => '/api/v1/users',
      () => ({
        username: `made.by.api${++serial}`,
        display_name: 'API Person',
        password: 'an uncommon long passphrase',
        role: 'csr',
        team_id: org.teamB,
      }),
    ),
    expected: adminOnly(201, 401),
  },
  {
    route: 'PATCH /api/v1/users/:id',
    send: api(
      'patch',
      () => `/api/v1/users/${victim.id}`,
      () => ({ display_name: `Patched ${++serial}` }),
    ),
    expected: adminOnly(200, 401),
  },
  {
    route: 'POST /api/v1/departments',
    send: api(
      'post',
      () => '/api/v1/departments',
      () => ({ name: `API department ${++serial}`, budget_cents: 0, budget_period: 'year' }),
    ),
    expected: adminOnly(201, 401),
  },
  {
    route: 'POST /api/v1/teams',
    send: api(
      'post',
      () => '/api/v1/teams',
      () => ({ name: `API team ${++serial}`, department_id: org.otherDepartmentId, supervisors: [] }),
    ),
    expected: adminOnly(201, 401),
  },
  {
    route: 'GET /api/v1/calls',
    send: api('get', () => '/api/v1/calls'),
    expected: { ...staffOnly(200), 'signed out': 401 },
  },
  {
    route: 'GET /api/v1/calls/:id (a call of team A)',
    send: api('get', () => `/api/v1/calls/${calls.teamA}`),
    expected: { admin: 200, manager: 200, supervisor: 200, csr: 404, 'signed out': 401 },
  },
  {
    route: 'GET /api/v1/calls/:id (a call of the other department)',
    send: api('get', () => `/api/v1/calls/${calls.other}`),
    expected: { admin: 200, manager: 404, supervisor: 404, csr: 404, 'signed out': 401 },
  },
  {
    route: 'POST /api/v1/calls',
    send: (who) => {
      let req = request(ctx.app).post('/api/v1/calls');
      if (who !== 'signed out') req = req.set('Authorization', `Bearer ${tokens[who]}`);
      for (const [name, value] of Object.entries(callFields())) req = req.field(name, value);
      return req;
    },
    expected: { ...staffOnly(201), 'signed out': 401 },
  },
  {
    route: 'POST /api/v1/calls/import',
    send: (who) => {
      let req = request(ctx.app).post('/api/v1/calls/import').set('Content-Type', 'text/csv');
      if (who !== 'signed out') req = req.set('Authorization', `Bearer ${tokens[who]}`);
      return req.send(callCsv());
    },
    expected: importers(200, 401),
  },
];

const WHO: Who[] = ['admin', 'manager', 'supervisor', 'csr', 'signed out'];
const table = routes.flatMap((r) => WHO.map((who) => [who, r.route, r.expected[who], r] as const));

function expectStatus(res: request.Response, expected: Expected): void {
  if (expected === 'sign-in') {
    const redirectedToLogin = res.status === 303 && /^\/login/.test(String(res.headers.location));
    expect(redirectedToLogin || res.status === 401 ? 'sign-in' : res.status).toBe('sign-in');
  } else {
    expect(res.status).toBe(expected);
  }
}

describe('role × route access', () => {
  test.each(table)('%s → %s answers %s', async (who, _route, expected, route) => {
    const before = await counts();
    const res = await route.send(who);
    await ctx.deps.imports.settled();
    expectStatus(res, expected);
    // A role refusal, not a CSRF or validation refusal that would pass for one.
    if (expected === 403) expect(res.text).toContain('Your role may not do this.');
    if (typeof expected !== 'number' || expected >= 400) {
      expect(await counts()).toEqual(before);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Scope: a person outside your scope is indistinguishable from one that does not exist.

type Person = keyof Pick<
  Org,
  'admin' | 'manager' | 'supervisorA' | 'supervisorB' | 'otherSupervisor' | 'csrA' | 'csrA2' | 'csrB' | 'otherCsr'
>;

const scopeTable: Array<[Staff, Person, 200 | 404]> = [
  ['admin', 'otherCsr', 200],
  ['admin', 'manager', 200],
  ['manager', 'csrA', 200],
  ['manager', 'csrB', 200],
  ['manager', 'supervisorA', 200],
  ['manager', 'otherCsr', 404],
  ['manager', 'otherSupervisor', 404],
  ['manager', 'admin', 404],
  ['supervisor', 'csrA', 200],
  ['supervisor', 'csrA2', 200],
  ['supervisor', 'csrB', 404],
  ['supervisor', 'otherCsr', 404],
  ['supervisor', 'supervisorB', 404],
  ['supervisor', 'manager', 404],
  ['csr', 'csrA2', 404],
  ['csr', 'supervisorA', 404],
  ['csr', 'otherCsr', 404],
];

describe('who can see whom on /people/:id', () => {
  test.each(scopeTable)('%s → %s answers %i', async (who, person, expected) => {
    const res = await agents[who].get(`/people/${org[person].id}`);
    expect(res.status).toBe(expected);
    if (expected === 200) expect(res.text).toContain(org[person].username);
    else expect(res.text).not.toContain(org[person].username);
  });

  test.each<Staff>(['manager', 'supervisor', 'csr'])(
    'for a %s, someone out of scope looks exactly like someone who does not exist',
    async (who) => {
      const outOfScope = await agents[who].get(`/people/${org.otherCsr.id}`);
      const missing = await agents[who].get('/people/999999');
      expect(outOfScope.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(outOfScope.text).toBe(missing.text);
    },
  );

  test('a CSR may not list people at all (403)', async () => {
    expect((await agents.csr.get('/people')).status).toBe(403);
  });

  test('the people list of a supervisor holds only their own team', async () => {
    const res = await agents.supervisor.get('/people');
    expect(res.text).toContain(`/people/${org.csrA.id}"`);
    expect(res.text).toContain(`/people/${org.csrA2.id}"`);
    expect(res.text).not.toContain(`/people/${org.csrB.id}"`);
    expect(res.text).not.toContain(`/people/${org.otherCsr.id}"`);
  });

  test('the people list of a manager holds their department only', async () => {
    const res = await agents.manager.get('/people');
    expect(res.text).toContain(`/people/${org.csrB.id}"`);
    expect(res.text).toContain(`/people/${org.supervisorA.id}"`);
    expect(res.text).not.toContain(`/people/${org.otherCsr.id}"`);
    expect(res.text).not.toContain(`/people/${org.otherSupervisor.id}"`);
  });

  test('signed out, a person page asks to sign in', async () => {
    expectStatus(await request(ctx.app).get(`/people/${org.csrA.id}`), 'sign-in');
  });
});

// ---------------------------------------------------------------------------------------------

describe('CSRF', () => {
  const newUserForm = () => ({
    username: `csrf.probe${++serial}`,
    display_name: 'CSRF Probe',
    password: 'an uncommon long passphrase',
    role: 'csr',
    team_id: String(org.teamA),
  });

  test.each<[string, () => Promise<string | undefined>]>([
    ['no token', async () => undefined],
    ['a made-up token', async () => 'f'.repeat(256)],
    ['a token from another session', async () => csrfFrom(agents.manager, '/profile')],
  ])('a form POST with a valid session but %s is refused with 403 and changes nothing', async (_case, token) => {
    const before = await counts();
    const fields: Record<string, string> = newUserForm();
    const csrf = await token();
    if (csrf !== undefined) fields._csrf = csrf;
    const res = await agents.admin.post('/admin/users').type('form').send(fields);
    expect(res.status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  test('a disable form without a token leaves the account active', async () => {
    const res = await agents.admin.post(`/admin/users/${org.csrA2.id}/active`).type('form').send({ active: '0' });
    expect(res.status).toBe(403);
    const row = await ctx.deps.db
      .selectFrom('users')
      .select('active')
      .where('id', '=', org.csrA2.id)
      .executeTakeFirst();
    expect(row?.active).toBe(1);
  });

  const apiUser = () => ({
    username: `api.probe${++serial}`,
    display_name: 'API Probe',
    password: 'an uncommon long passphrase',
    role: 'csr',
    team_id: org.teamA,
  });

  test('a session-only POST /api/v1/users without X-CSRF-Token is refused with 403 and creates nobody', async () => {
    const before = await counts();
    const res = await agents.admin.post('/api/v1/users').send(apiUser());
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('csrf_invalid');
    expect(await counts()).toEqual(before);
  });

  test('a session-only PATCH without X-CSRF-Token is refused with 403 and changes nothing', async () => {
    const res = await agents.admin.patch(`/api/v1/users/${org.csrA2.id}`).send({ active: false });
    expect(res.status).toBe(403);
    const row = await ctx.deps.db
      .selectFrom('users')
      .select('active')
      .where('id', '=', org.csrA2.id)
      .executeTakeFirst();
    expect(row?.active).toBe(1);
  });

  test('the same session request with the X-CSRF-Token header is accepted', async () => {
    const csrf = await csrfFrom(agents.admin, '/profile');
    const res = await agents.admin.post('/api/v1/users').set('X-CSRF-Token', csrf).send(apiUser());
    expect(res.status).toBe(201);
  });

  test('with a bearer token no CSRF token is needed, with or without a cookie', async () => {
    const plain = await request(ctx.app)
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${tokens.admin}`)
      .send(apiUser());
    expect(plain.status).toBe(201);
    const withCookie = await agents.manager
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${tokens.admin}`)
      .send(apiUser());
    expect(withCookie.status).toBe(201);
  });
});

describe('bearer tokens', () => {
  test('a script with only a username and password gets a token (201), no cookie or CSRF token needed', async () => {
    const res = await request(ctx.app)
      .post('/api/v1/tokens')
      .send({ username: org.supervisorB.username, password: PASSWORD, name: 'nightly export' });
    expect(res.status).toBe(201);
    expect(res.body.token).toMatch(/^cs_/);
    expect(Number.isInteger(res.body.id)).toBe(true);
    const me = await request(ctx.app).get('/api/v1/me').set('Authorization', `Bearer ${res.body.token}`);
    expect(me.body).toMatchObject({ id: org.supervisorB.id, role: 'supervisor' });
  });

  test('a wrong password for a token is 401, not a token', async () => {
    const before = await ctx.deps.db.selectFrom('api_tokens').select('id').execute();
    const res = await request(ctx.app)
      .post('/api/v1/tokens')
      .send({ username: org.supervisorB.username, password: 'not the password at all', name: 'x' });
    expect(res.status).toBe(401);
    expect(await ctx.deps.db.selectFrom('api_tokens').select('id').execute()).toHaveLength(before.length);
  });

  test('a token acts with its user’s role', async () => {
    const me = await request(ctx.app).get('/api/v1/me').set('Authorization', `Bearer ${tokens.manager}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: org.manager.id, role: 'manager', managed_department_ids: [org.departmentId] });
  });

  test('an unknown token is 401 even alongside a valid session cookie', async () => {
    const res = await agents.admin.get('/api/v1/me').set('Authorization', 'Bearer cs_not-a-real-token-at-all-0000');
    expect(res.status).toBe(401);
  });

  test('a revoked token stops working, and nobody can revoke another person’s token', async () => {
    const token = await bearerFor(org.supervisorB.username);
    const own = await ctx.deps.db
      .selectFrom('api_tokens')
      .select('id')
      .where('user_id', '=', org.supervisorB.id)
      .where('revoked_at', 'is', null)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    const stranger = await request(ctx.app)
      .delete(`/api/v1/tokens/${own.id}`)
      .set('Authorization', `Bearer ${tokens.admin}`);
    expect(stranger.status).toBe(404);
    expect((await request(ctx.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    const revoke = await request(ctx.app).delete(`/api/v1/tokens/${own.id}`).set('Authorization', `Bearer ${token}`);
    expect(revoke.status).toBe(204);
    expect((await request(ctx.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`)).status).toBe(401);
  });
});

describe('credentials in the URL', () => {
  test.each([
    ['/login?password=hunter22', 'page'],
    ['/?token=abc', 'page'],
    ['/api/v1/me?access_token=abc', 'api'],
    ['/api/v1/me?token=abc', 'api'],
    ['/api/v1/me?Password=abc', 'api'],
  ])('%s is refused with 400', async (path, kind) => {
    const res = await request(ctx.app).get(path).set('Authorization', `Bearer ${tokens.admin}`);
    expect(res.status).toBe(400);
    if (kind === 'api') expect(res.body.error.code).toBe('bad_request');
  });

  test('a token in the query string is refused even for a valid token, and does not authenticate', async () => {
    const res = await request(ctx.app).get(`/api/v1/me?access_token=${tokens.admin}`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toContain(org.admin.username);
  });

  test('a form POST with the password in the query string is refused with 400 and creates nobody', async () => {
    const before = await counts();
    const csrf = await csrfFrom(agents.admin, '/profile');
    const res = await agents.admin
      .post('/admin/users?password=an%20uncommon%20long%20passphrase')
      .type('form')
      .send({ _csrf: csrf, username: 'query.pass', display_name: 'Q', role: 'admin' });
    expect(res.status).toBe(400);
    expect(await counts()).toEqual(before);
  });
});

describe('security headers', () => {
  function directives(res: request.Response): Map<string, string[]> {
    const header = String(res.headers['content-security-policy'] ?? '');
    return new Map(
      header
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((parts) => parts[0])
        .map((parts) => [parts[0].toLowerCase(), parts.slice(1)]),
    );
  }

  test.each([
    ['the login page', () => request(ctx.app).get('/login')],
    ['an admin page', () => agents.admin.get('/admin/users')],
    ['a 404 page', () => agents.csr.get('/no/such/page')],
    ['an API answer', () => request(ctx.app).get('/api/v1/me').set('Authorization', `Bearer ${tokens.csr}`)],
  ])('%s carries a strict CSP and no X-Powered-By', async (_case, send) => {
    const res = await send();
    const csp = directives(res);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('script-src-attr')).toEqual(["'none'"]);
    const scripts = csp.get('script-src') ?? csp.get('default-src') ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts).not.toContain("'unsafe-inline'");
    expect(scripts).not.toContain("'unsafe-eval'");
    expect(scripts.some((s) => s.startsWith("'nonce-") || s.startsWith("'sha"))).toBe(false);
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  test.each<[string, Who, () => string]>([
    ['login', 'signed out', () => '/login'],
    ['admin home', 'admin', () => '/'],
    ['admin people', 'admin', () => '/admin/users'],
    ['admin person', 'admin', () => `/admin/users/${victim.id}`],
    ['org', 'admin', () => '/admin/org'],
    ['supervisor home', 'supervisor', () => '/'],
    ['csr home', 'csr', () => '/'],
    ['profile', 'manager', () => '/profile'],
  ])('the %s page has no inline script or event-handler attribute', async (_case, who, path) => {
    const res = await page(path)(who);
    expect(res.status).toBe(200);
    const scripts = [...res.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/static\//);
      expect(body.trim()).toBe('');
    }
    expect(res.text).not.toMatch(/\son[a-z]+\s*=\s*["']/i);
    expect(res.text).not.toMatch(/href\s*=\s*["']\s*javascript:/i);
  });
});

describe('error answers never carry a stack trace', () => {
  test('an unknown page is a 404 page', async () => {
    const res = await agents.admin.get('/no/such/page');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Not found');
    expectNoStackTrace(res.text);
  });

  test('an unknown API route is a 404 JSON error', async () => {
    const res = await request(ctx.app).get('/api/v1/nothing-here').set('Authorization', `Bearer ${tokens.admin}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expectNoStackTrace(res.text);
  });

  test('a malformed JSON body is a 400 JSON error', async () => {
    const before = await counts();
    const res = await request(ctx.app)
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${tokens.admin}`)
      .set('Content-Type', 'application/json')
      .send('{"username": "half');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'malformed', message: expect.any(String) } });
    expectNoStackTrace(res.text);
    expect(await counts()).toEqual(before);
  });

  test('a body that is not JSON is a 415 JSON error', async () => {
    const res = await request(ctx.app)
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${tokens.admin}`)
      .set('Content-Type', 'text/plain')
      .send('username=x');
    expect(res.status).toBe(415);
    expect(res.body.error.message).toMatch(/JSON/);
    expectNoStackTrace(res.text);
  });

  test('a body over the size limit is a 413 JSON error', async () => {
    const res = await request(ctx.app)
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${tokens.admin}`)
      .send({ username: 'big', display_name: 'x'.repeat(300 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('too_large');
  });

  test('a refused CSRF form shows an error page, not a stack trace', async () => {
    const res = await agents.admin.post('/admin/users').type('form').send({ username: 'x' });
    expect(res.status).toBe(403);
    expectNoStackTrace(res.text);
    expect(res.text).toContain('The form expired or was sent from elsewhere.');
  });

  test('credentials in the query string show an error page, not a stack trace', async () => {
    const res = await request(ctx.app).get('/login?password=hunter22');
    expect(res.status).toBe(400);
    expectNoStackTrace(res.text);
    expect(res.text).toContain('Credentials must not be sent in the URL.');
  });

  test('a malformed JSON body sent to a page is a 400 page, not a stack trace', async () => {
    const res = await agents.admin
      .post('/admin/users')
      .set('Content-Type', 'application/json')
      .send('{"username": "half');
    expect(res.status).toBe(400);
    expectNoStackTrace(res.text);
    expect(res.text).toContain('The request body is not valid JSON.');
  });
});

describe('silent monitoring of risk flags', () => {
  test('a CSR sees no risk flag, filter or sort: refused on the staff pages, and no trace on their own', async () => {
    const traces = /risk|flagged|dead air|overtalk|low csat/i;
    for (const path of RISK_PAGES) {
      const res = await agents.csr.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      expect({ path, trace: traces.exec(res.text)?.[0] }).toEqual({ path, trace: undefined });
    }
    for (const path of ['/', '/scorecards', '/profile', '/?risk=any&sort=risk', '/scorecards?risk=any&sort=risk']) {
      const res = await agents.csr.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect({ path, trace: traces.exec(res.text)?.[0] }).toEqual({ path, trace: undefined });
    }
    // The staff pages do show them (so the checks above look at pages that have something to hide).
    const queue = await agents.supervisor.get('/evaluations?risk=any&sort=risk');
    expect(queue.text).toMatch(/risk/i);
  });
});
