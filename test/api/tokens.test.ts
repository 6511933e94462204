import { sql } from 'kysely';
import request from 'supertest';
import { createToken } from '../../src/profile/tokens.service';
import { updateUser } from '../../src/users/users.service';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, buildUser, PASSWORD, type Org } from '../helpers/builders';
import { csrfFrom, postForm, signIn } from '../helpers/http';

let ctx: TestContext;

beforeEach(() => {
  ctx = makeTestApp();
});
afterEach(async () => ctx.close());

function postTokens(body: unknown) {
  return request(ctx.app)
    .post('/api/v1/tokens')
    .set('Accept', 'application/json')
    .send(body as object);
}

function withBearer(token: string) {
  return {
    get: (path: string) => request(ctx.app).get(path).set('Authorization', `Bearer ${token}`),
    delete: (path: string) => request(ctx.app).delete(path).set('Authorization', `Bearer ${token}`),
  };
}

async function tokenRow(id: number) {
  return ctx.deps.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Every text value in every table, so a test can say a secret is stored nowhere. */
async function everyStoredValue(): Promise<string[]> {
  // Kysely's introspection lists the tables on either engine (sqlite_master, information_schema).
  const tables = await ctx.deps.db.introspection.getTables();
  expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['api_tokens', 'audit_log', 'sessions']));
  const values: string[] = [];
  for (const { name } of tables) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(ctx.deps.db);
    for (const row of rows.rows) values.push(...Object.values(row).map((v) => String(v)));
  }
  return values;
}

function expectErrorShape(body: unknown, code?: string) {
  expect(body).toEqual({
    error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }),
  });
  const error = (body as { error: Record<string, unknown> }).error;
  expect(Object.keys(error).sort()).toEqual('details' in error ? ['code', 'details', 'message'] : ['code', 'message']);
  expect((error.message as string).length).toBeGreaterThan(0);
  expect(JSON.stringify(body)).not.toMatch(/\bat .+\.(ts|js):\d+/);
  if (code) expect(error.code).toBe(code);
}

describe('POST /api/v1/tokens', () => {
  test('the right username and password give 201 with a new token and its id', async () => {
    const user = await buildUser(ctx.deps, 'admin', { username: 'ada' });
    const res = await postTokens({ username: 'ada', password: PASSWORD, name: 'PBX import' });
    expect(res.status).toBe(201);
    expect(typeof res.body.token).toBe('string');
    expect(res.body.token.length).toBeGreaterThanOrEqual(32);
    expect(Number.isInteger(res.body.id)).toBe(true);
    const row = await tokenRow(res.body.id);
    expect(row.user_id).toBe(user.id);
    expect(row.name).toBe('PBX import');
    expect(row.revoked_at).toBeNull();
    const me = await withBearer(res.body.token).get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('ada');
  });

  test('each call makes a different token', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    const first = await postTokens({ username: 'ada', password: PASSWORD, name: 'one' });
    const second = await postTokens({ username: 'ada', password: PASSWORD, name: 'two' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(first.body.token).not.toBe(second.body.token);
    expect(first.body.id).not.toBe(second.body.id);
  });

  test('an unknown user and a wrong password get the same 401 and no token is made', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    const wrong = await postTokens({ username: 'ada', password: 'not the password', name: 'x' });
    const unknown = await postTokens({ username: 'nobody', password: 'not the password', name: 'x' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expectErrorShape(wrong.body, 'unauthorized');
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body.token).toBeUndefined();
    const count = await ctx.deps.db.selectFrom('api_tokens').select('id').execute();
    expect(count).toHaveLength(0);
  });

  test('a disabled user cannot get a token with their old password', async () => {
    const admin = await buildUser(ctx.deps, 'admin');
    const ada = await buildUser(ctx.deps, 'admin', { username: 'ada' });
    await updateUser(ctx.deps, { id: admin.id, role: 'admin' }, ada.id, { active: false });
    const res = await postTokens({ username: 'ada', password: PASSWORD, name: 'x' });
    expect(res.status).toBe(401);
  });

  test('missing fields are 422 with a detail for each', async () => {
    const res = await postTokens({});
    expect(res.status).toBe(422);
    expectErrorShape(res.body, 'validation_failed');
    const paths = (res.body.error.details as Array<{ path: string }>).map((d) => d.path).sort();
    expect(paths).toEqual(['name', 'password', 'username']);
  });

  test.each([
    ['a number as username', { username: 5, password: PASSWORD, name: 'x' }, 'username'],
    ['a boolean as password', { username: 'ada', password: true, name: 'x' }, 'password'],
    ['a list as name', { username: 'ada', password: PASSWORD, name: ['x'] }, 'name'],
    ['an empty name', { username: 'ada', password: PASSWORD, name: '   ' }, 'name'],
  ])('%s is 422 naming the field', async (_label, body, field) => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    const res = await postTokens(body);
    expect(res.status).toBe(422);
    expectErrorShape(res.body, 'validation_failed');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
  });

  test('a JSON array instead of an object is 422, not a 500', async () => {
    const res = await postTokens([]);
    expect(res.status).toBe(422);
    expectErrorShape(res.body, 'validation_failed');
  });

  test('malformed JSON is 400', async () => {
    const res = await request(ctx.app)
      .post('/api/v1/tokens')
      .set('Content-Type', 'application/json')
      .send('{"username": "ada",');
    expect(res.status).toBe(400);
    expectErrorShape(res.body, 'malformed');
  });

  test('a body that is not JSON is refused with 415', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    const res = await request(ctx.app)
      .post('/api/v1/tokens')
      .type('form')
      .send({ username: 'ada', password: PASSWORD, name: 'x' });
    expect(res.status).toBe(415);
    expectErrorShape(res.body);
    expect(await ctx.deps.db.selectFrom('api_tokens').select('id').execute()).toHaveLength(0);
  });

  test('five failures block the next try, even with the right password (429 with Retry-After)', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    for (let i = 0; i < 5; i += 1) {
      expect((await postTokens({ username: 'ada', password: 'wrong password!', name: 'x' })).status).toBe(401);
    }
    const res = await postTokens({ username: 'ada', password: PASSWORD, name: 'x' });
    expect(res.status).toBe(429);
    expectErrorShape(res.body, 'rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(await ctx.deps.db.selectFrom('api_tokens').select('id').execute()).toHaveLength(0);
  });

  test('failures on the login page count towards the token throttle', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    for (let i = 0; i < 5; i += 1) {
      const agent = request.agent(ctx.app);
      const csrf = await csrfFrom(agent, '/login');
      await agent.post('/login').type('form').send({ _csrf: csrf, username: 'ada', password: 'wrong password!' });
    }
    const res = await postTokens({ username: 'ada', password: PASSWORD, name: 'x' });
    expect(res.status).toBe(429);
  });

  test('the wait grows 1, 2, 4 s per further failure and a success resets it', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    for (let i = 0; i < 5; i += 1) await postTokens({ username: 'ada', password: 'wrong password!', name: 'x' });
    for (const wait of [1, 2, 4]) {
      const blocked = await postTokens({ username: 'ada', password: PASSWORD, name: 'x' });
      expect([blocked.status, blocked.headers['retry-after']]).toEqual([429, String(wait)]);
      expect(blocked.body.error.message).toContain(`Try again in ${wait} second`);
      ctx.clock.advance(wait * 1000);
      expect((await postTokens({ username: 'ada', password: 'wrong password!', name: 'x' })).status).toBe(401);
    }
    ctx.clock.advance(8000);
    expect((await postTokens({ username: 'ada', password: PASSWORD, name: 'x' })).status).toBe(201);
    expect((await postTokens({ username: 'ada', password: 'wrong password!', name: 'x' })).status).toBe(401);
  });

  test('60 failures from one address do not lock out the right password; unknown names get 429', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    const statuses: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      statuses.push((await postTokens({ username: `guess${i}`, password: 'wrong password!', name: 'x' })).status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(30).every((s) => s === 429)).toBe(true);
    const unknown = await postTokens({ username: 'someone', password: 'wrong password!', name: 'x' });
    expect(unknown.status).toBe(429);
    expectErrorShape(unknown.body, 'rate_limited');
    expect(Number(unknown.headers['retry-after'])).toBeGreaterThan(0);
    expect((await postTokens({ username: 'ada', password: PASSWORD, name: 'x' })).status).toBe(201);
  });
});

describe('GET /api/v1/me', () => {
  let org: Org;

  beforeEach(async () => {
    org = await buildOrg(ctx.deps);
  });

  test.each([
    ['csr', (o: Org) => o.csrA, (o: Org) => ({ team_id: o.teamA, department_id: o.departmentId })],
    ['supervisor', (o: Org) => o.supervisorA, (o: Org) => ({ supervised_team_ids: [o.teamA] })],
    ['manager', (o: Org) => o.manager, (o: Org) => ({ managed_department_ids: [o.departmentId] })],
    ['admin', (o: Org) => o.admin, () => ({ team_id: null, department_id: null })],
  ])('with a token, a %s gets their own id, names, role and team/department ids', async (role, pick, ids) => {
    const user = pick(org);
    const { token } = await createToken(ctx.deps, user.id, { name: 'script' });
    const res = await withBearer(token).get('/api/v1/me');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: user.id,
      username: user.username,
      display_name: user.display_name,
      role,
      ...ids(org),
    });
    for (const key of ['team_id', 'department_id', 'supervised_team_ids', 'managed_department_ids']) {
      expect(res.body).toHaveProperty(key);
    }
  });

  test('with the session cookie it returns the same caller', async () => {
    const { token } = await createToken(ctx.deps, org.csrB.id, { name: 'script' });
    const byToken = await withBearer(token).get('/api/v1/me');
    const agent = await signIn(ctx.app, org.csrB.username);
    const bySession = await agent.get('/api/v1/me');
    expect(bySession.status).toBe(200);
    expect(bySession.body).toEqual(byToken.body);
    expect(bySession.body).toMatchObject({ id: org.csrB.id, team_id: org.teamB, department_id: org.departmentId });
  });

  test('without credentials it is 401 in the error shape', async () => {
    const res = await request(ctx.app).get('/api/v1/me');
    expect(res.status).toBe(401);
    expectErrorShape(res.body, 'unauthorized');
  });
});

describe('bearer tokens', () => {
  test('the plain token is stored nowhere in the database, only a hash of it', async () => {
    await buildUser(ctx.deps, 'admin', { username: 'ada' });
    const res = await postTokens({ username: 'ada', password: PASSWORD, name: 'PBX import' });
    expect(res.status).toBe(201);
    const token: string = res.body.token;
    const row = await tokenRow(res.body.id);
    expect(Object.values(row).map(String)).not.toContain(token);
    expect(row.token_hash).not.toContain(token);
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    const stored = await everyStoredValue();
    expect(stored.some((value) => value.includes(token))).toBe(false);
  });

  test('a token created on the profile page is stored nowhere in plain text either', async () => {
    const user = await buildUser(ctx.deps, 'csr', { team_id: (await buildOrg(ctx.deps)).teamA });
    const agent = await signIn(ctx.app, user.username);
    const page = await postForm(agent, '/profile/tokens', { name: 'laptop' });
    const token = /id="new-token">([^<]+)</.exec(page.text)![1];
    const stored = await everyStoredValue();
    expect(stored.some((value) => value.includes(token))).toBe(false);
  });

  test('using a token records when it was last used', async () => {
    const user = await buildUser(ctx.deps, 'admin');
    const { id, token } = await createToken(ctx.deps, user.id, { name: 'script' });
    expect((await tokenRow(id)).last_used_at).toBeNull();
    ctx.clock.advance(90 * 60_000);
    const usedAt = ctx.clock.now().toISOString();
    expect((await withBearer(token).get('/api/v1/me')).status).toBe(200);
    expect((await tokenRow(id)).last_used_at).toBe(usedAt);
    ctx.clock.advance(60_000);
    await withBearer(token).get('/api/v1/me');
    expect((await tokenRow(id)).last_used_at).toBe(ctx.clock.now().toISOString());
  });

  test('a token used again within the minute keeps the time it was first used (one write a minute at most)', async () => {
    const user = await buildUser(ctx.deps, 'admin');
    const { id, token } = await createToken(ctx.deps, user.id, { name: 'script' });
    ctx.clock.advance(5 * 60_000);
    const firstUse = ctx.clock.now().toISOString();
    expect((await withBearer(token).get('/api/v1/me')).status).toBe(200);
    // 1 s, 30 s and 59 s after the first use.
    for (const step of [1000, 29_000, 29_000]) {
      ctx.clock.advance(step);
      expect((await withBearer(token).get('/api/v1/me')).status).toBe(200);
      expect((await tokenRow(id)).last_used_at).toBe(firstUse);
    }
    ctx.clock.advance(1000);
    expect((await withBearer(token).get('/api/v1/me')).status).toBe(200);
    expect((await tokenRow(id)).last_used_at).toBe(ctx.clock.now().toISOString());
  });

  test('DELETE /api/v1/tokens/:id revokes the token; it then gets 401', async () => {
    const user = await buildUser(ctx.deps, 'admin');
    const { id, token } = await createToken(ctx.deps, user.id, { name: 'script' });
    const res = await withBearer(token).delete(`/api/v1/tokens/${id}`);
    expect(res.status).toBe(204);
    expect((await tokenRow(id)).revoked_at).toBe(ctx.clock.now().toISOString());
    const after = await withBearer(token).get('/api/v1/me');
    expect(after.status).toBe(401);
    expectErrorShape(after.body, 'unauthorized');
  });

  test('one token can revoke another of the same user and the first keeps working', async () => {
    const user = await buildUser(ctx.deps, 'admin');
    const keeper = await createToken(ctx.deps, user.id, { name: 'keeper' });
    const victim = await createToken(ctx.deps, user.id, { name: 'old' });
    expect((await withBearer(keeper.token).delete(`/api/v1/tokens/${victim.id}`)).status).toBe(204);
    expect((await withBearer(victim.token).get('/api/v1/me')).status).toBe(401);
    expect((await withBearer(keeper.token).get('/api/v1/me')).status).toBe(200);
  });

  test("revoking someone else's token is 404 and leaves it working", async () => {
    const ada = await buildUser(ctx.deps, 'admin');
    const bob = await buildUser(ctx.deps, 'admin');
    const adas = await createToken(ctx.deps, ada.id, { name: 'ada' });
    const bobs = await createToken(ctx.deps, bob.id, { name: 'bob' });
    const res = await withBearer(adas.token).delete(`/api/v1/tokens/${bobs.id}`);
    expect(res.status).toBe(404);
    expectErrorShape(res.body, 'not_found');
    expect((await tokenRow(bobs.id)).revoked_at).toBeNull();
    expect((await withBearer(bobs.token).get('/api/v1/me')).status).toBe(200);
  });

  test.each(['999999', 'abc', '0', '-1'])('revoking token id %s is 404', async (id) => {
    const user = await buildUser(ctx.deps, 'admin');
    const { token } = await createToken(ctx.deps, user.id, { name: 'script' });
    const res = await withBearer(token).delete(`/api/v1/tokens/${id}`);
    expect(res.status).toBe(404);
    expectErrorShape(res.body, 'not_found');
  });

  test("a disabled user's token is refused with 401 and works again once re-enabled", async () => {
    const admin = await buildUser(ctx.deps, 'admin');
    const ada = await buildUser(ctx.deps, 'admin');
    const { token } = await createToken(ctx.deps, ada.id, { name: 'script' });
    expect((await withBearer(token).get('/api/v1/me')).status).toBe(200);
    await updateUser(ctx.deps, { id: admin.id, role: 'admin' }, ada.id, { active: false });
    const refused = await withBearer(token).get('/api/v1/me');
    expect(refused.status).toBe(401);
    expectErrorShape(refused.body, 'unauthorized');
    await updateUser(ctx.deps, { id: admin.id, role: 'admin' }, ada.id, { active: true });
    expect((await withBearer(token).get('/api/v1/me')).status).toBe(200);
  });

  test('a token acts with its user’s current role', async () => {
    const admin = await buildUser(ctx.deps, 'admin');
    const ada = await buildUser(ctx.deps, 'admin');
    const { token } = await createToken(ctx.deps, ada.id, { name: 'script' });
    await updateUser(ctx.deps, { id: admin.id, role: 'admin' }, ada.id, { role: 'manager' });
    const res = await withBearer(token).get('/api/v1/me');
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('manager');
  });

  test.each([
    ['Basic YWRhOnNlY3JldA=='],
    ['Bearer'],
    ['Bearer two parts'],
    ['Token cs_abcdefghijklmnopqrstuvwxyz'],
    ['Bearer cs_not-a-real-token-but-looks-like-one-000000'],
  ])('Authorization "%s" is 401 even with a valid session cookie (no fallback)', async (header) => {
    const user = await buildUser(ctx.deps, 'admin');
    const agent = await signIn(ctx.app, user.username);
    expect((await agent.get('/api/v1/me')).status).toBe(200);
    const res = await agent.get('/api/v1/me').set('Authorization', header);
    expect(res.status).toBe(401);
    expectErrorShape(res.body, 'unauthorized');
  });

  test("a bearer token decides who the caller is even with another user's session cookie", async () => {
    const ada = await buildUser(ctx.deps, 'admin');
    const bob = await buildUser(ctx.deps, 'admin');
    const { token } = await createToken(ctx.deps, bob.id, { name: 'bob' });
    const agent = await signIn(ctx.app, ada.username);
    const res = await agent.get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(bob.id);
  });

  test('a bearer token needs no CSRF token for an unsafe request', async () => {
    const user = await buildUser(ctx.deps, 'admin');
    const { id, token } = await createToken(ctx.deps, user.id, { name: 'script' });
    const res = await withBearer(token).delete(`/api/v1/tokens/${id}`);
    expect(res.status).toBe(204);
  });

  test('a session-authenticated unsafe API request without the CSRF token is refused', async () => {
    const user = await buildUser(ctx.deps, 'admin');
    const { id, token } = await createToken(ctx.deps, user.id, { name: 'script' });
    const agent = await signIn(ctx.app, user.username);
    const res = await agent.delete(`/api/v1/tokens/${id}`);
    expect(res.status).toBe(403);
    expectErrorShape(res.body, 'csrf_invalid');
    expect((await tokenRow(id)).revoked_at).toBeNull();
    expect((await withBearer(token).get('/api/v1/me')).status).toBe(200);
  });

  test('an authenticated POST with a body that is not JSON is 415', async () => {
    const user = await buildUser(ctx.deps, 'admin');
    const { token } = await createToken(ctx.deps, user.id, { name: 'script' });
    const res = await request(ctx.app)
      .post('/api/v1/users')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'text/plain')
      .send('username=eve');
    expect(res.status).toBe(415);
    expectErrorShape(res.body);
    expect(await ctx.deps.db.selectFrom('users').select('id').where('username', '=', 'eve').execute()).toHaveLength(0);
  });

  test('an unknown /api/v1 route is a JSON 404', async () => {
    const user = await buildUser(ctx.deps, 'admin');
    const { token } = await createToken(ctx.deps, user.id, { name: 'script' });
    const res = await withBearer(token).get('/api/v1/no-such-thing');
    expect(res.status).toBe(404);
    expectErrorShape(res.body, 'not_found');
  });
});

describe('tokens on the profile page', () => {
  async function signedInCsr() {
    const org = await buildOrg(ctx.deps);
    return { org, agent: await signIn(ctx.app, org.csrA.username) };
  }

  test('creating a token shows it once; reloading the page does not show it again', async () => {
    const { org, agent } = await signedInCsr();
    const created = await postForm(agent, '/profile/tokens', { name: 'PBX import' });
    expect(created.status).toBe(201);
    expect(created.text).toContain('It will not be shown again');
    const token = /id="new-token">([^<]+)</.exec(created.text)?.[1];
    expect(token).toBeDefined();
    const me = await withBearer(token!).get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(org.csrA.id);

    const reload = await agent.get('/profile');
    expect(reload.status).toBe(200);
    expect(reload.text).toContain('PBX import');
    expect(reload.text).not.toContain(token!);
    expect(reload.text).not.toContain('new-token');
  });

  test('a token without a name is refused with 422 and a message beside the field', async () => {
    const { org, agent } = await signedInCsr();
    const res = await postForm(agent, '/profile/tokens', { name: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Token name is required.');
    expect(res.text).not.toContain('new-token');
    const rows = await ctx.deps.db.selectFrom('api_tokens').select('id').where('user_id', '=', org.csrA.id).execute();
    expect(rows).toHaveLength(0);
  });

  test('creating a token from the profile page without the CSRF token is refused', async () => {
    const { org, agent } = await signedInCsr();
    const res = await agent.post('/profile/tokens').type('form').send({ name: 'sneaky' });
    expect(res.status).toBe(403);
    const rows = await ctx.deps.db.selectFrom('api_tokens').select('id').where('user_id', '=', org.csrA.id).execute();
    expect(rows).toHaveLength(0);
  });

  test('revoking on the profile page stops the token working and shows it as revoked', async () => {
    const { org, agent } = await signedInCsr();
    const { id, token } = await createToken(ctx.deps, org.csrA.id, { name: 'laptop' });
    expect((await withBearer(token).get('/api/v1/me')).status).toBe(200);
    const res = await postForm(agent, `/profile/tokens/${id}/revoke`, {});
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/profile');
    expect((await tokenRow(id)).revoked_at).not.toBeNull();
    expect((await withBearer(token).get('/api/v1/me')).status).toBe(401);
    const page = await agent.get('/profile');
    expect(page.text).toContain('Token revoked.');
    expect(page.text).toMatch(/laptop<\/td>[\s\S]*?revoked /);
    expect(page.text).not.toContain(`/profile/tokens/${id}/revoke`);
  });

  test("revoking someone else's token from the profile page is 404 and leaves it working", async () => {
    const { org, agent } = await signedInCsr();
    const other = await createToken(ctx.deps, org.csrB.id, { name: 'theirs' });
    const res = await postForm(agent, `/profile/tokens/${other.id}/revoke`, {});
    expect(res.status).toBe(404);
    expect((await tokenRow(other.id)).revoked_at).toBeNull();
    expect((await withBearer(other.token).get('/api/v1/me')).status).toBe(200);
  });

  test("the profile page lists only the user's own tokens", async () => {
    const { org, agent } = await signedInCsr();
    await createToken(ctx.deps, org.csrA.id, { name: 'mine-token' });
    await createToken(ctx.deps, org.csrB.id, { name: 'their-token' });
    const page = await agent.get('/profile');
    expect(page.text).toContain('mine-token');
    expect(page.text).not.toContain('their-token');
  });
});
