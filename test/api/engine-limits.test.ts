import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { postForm, signIn } from '../helpers/http';
import { api, tokenFor } from '../helpers/scoring';

// Inputs one engine takes and the other refuses answer alike on both (found by the API fuzz on PostgreSQL):
// text with the NUL character, which PostgreSQL cannot store in text, and ids up to 2^53, which PostgreSQL's
// 4-byte integer columns could not hold. On both legs.

let ctx: TestContext;
let org: Org;

beforeEach(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
});
afterEach(async () => ctx.close());

test('a NUL character in a query parameter is a 400 JSON error naming it, not a 500', async () => {
  const token = await tokenFor(ctx.deps, org.admin);
  const res = await api(ctx.app, token).get('/api/v1/reports/scores?to=2026-01-01&agent=%00');
  expect(res.status).toBe(400);
  expect(res.body.error).toMatchObject({
    code: 'bad_request',
    message: 'Text may not contain the NUL character (\\0).',
  });
});

test('a NUL character in a JSON body is refused with 400 and writes nothing', async () => {
  const token = await tokenFor(ctx.deps, org.admin);
  const before = await ctx.deps.db.selectFrom('users').select('id').execute();
  const res = await api(ctx.app, token)
    .post('/api/v1/users')
    .send({ username: 'nul.user', display_name: 'Nul\u0000User', role: 'csr', password: 'a long enough password' });
  expect(res.status).toBe(400);
  expect(res.body.error.message).toBe('Text may not contain the NUL character (\\0).');
  expect(await ctx.deps.db.selectFrom('users').select('id').execute()).toEqual(before);
});

test('a NUL character in a form field is a 400 page, and the department is not created', async () => {
  const admin = await signIn(ctx.app, org.admin.username);
  const res = await postForm(admin, '/admin/departments', {
    name: 'Retention\u0000',
    budget: '100',
    budget_period: 'month',
  });
  expect(res.status).toBe(400);
  expect(res.text).toContain('Text may not contain the NUL character');
  const named = await ctx.deps.db.selectFrom('departments').select('name').execute();
  expect(named.map((d) => d.name).filter((n) => n.startsWith('Retention'))).toEqual([]);
});

test('a report for a team id as large as the API takes (2^53 - 1) is answered, not a 500', async () => {
  const token = await tokenFor(ctx.deps, org.admin);
  for (const path of [
    '/api/v1/reports/service-level?interval=30m&team_id=9007199254740991',
    '/api/v1/reports/service-level?team_id=9007199254740991',
    '/api/v1/reports/scores?team_id=9007199254740991',
  ]) {
    const res = await api(ctx.app, token).get(path);
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
  }
});
