import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { postForm, signIn } from '../helpers/http';
import { api, tokenFor, type Api } from '../helpers/scoring';

let ctx: TestContext;
let org: Org;
let admin: Api;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  admin = api(ctx.app, await tokenFor(ctx.deps, org.admin));
});
afterAll(async () => ctx.close());

const extensionOf = async (id: number) =>
  (await ctx.deps.db.selectFrom('users').select('extension').where('id', '=', id).executeTakeFirstOrThrow()).extension;

describe('a user’s phone extension', () => {
  test('PATCH /api/v1/users/:id sets it, answers it, and blank clears it', async () => {
    const set = await admin.patch(`/api/v1/users/${org.csrA.id}`, { extension: ' 1001 ' });
    expect(set.status).toBe(200);
    expect(set.body.extension).toBe('1001');
    expect(await extensionOf(org.csrA.id)).toBe('1001');
    const cleared = await admin.patch(`/api/v1/users/${org.csrA.id}`, { extension: '' });
    expect(cleared.body.extension).toBeNull();
    expect(await extensionOf(org.csrA.id)).toBeNull();
  });

  test('two people cannot share an extension (409), and nothing changes', async () => {
    await admin.patch(`/api/v1/users/${org.csrA.id}`, { extension: '2001' }).expect(200);
    const taken = await admin.patch(`/api/v1/users/${org.csrB.id}`, { extension: '2001' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toMatch(/extension/);
    expect(await extensionOf(org.csrB.id)).toBeNull();
    // The holder may save it again.
    await admin.patch(`/api/v1/users/${org.csrA.id}`, { extension: '2001' }).expect(200);
  });

  test.each([['10 01'], ['PJSIP/1001'], ['1'.repeat(33)], [42]])('%p is refused with 422', async (value) => {
    const res = await admin.patch(`/api/v1/users/${org.csrA2.id}`, { extension: value });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].path).toBe('extension');
    expect(await extensionOf(org.csrA2.id)).toBeNull();
  });

  test('POST /api/v1/users takes an extension; a taken one is a 409 with no user made', async () => {
    const made = await admin.post('/api/v1/users', {
      username: 'ext.new',
      display_name: 'Ext New',
      password: 'a quiet lighthouse at dawn',
      role: 'csr',
      team_id: org.teamA,
      extension: '3001',
    });
    expect(made.status).toBe(201);
    expect(made.body.extension).toBe('3001');
    const again = await admin.post('/api/v1/users', {
      username: 'ext.other',
      display_name: 'Ext Other',
      password: 'a quiet lighthouse at dawn',
      role: 'csr',
      team_id: org.teamA,
      extension: '3001',
    });
    expect(again.status).toBe(409);
    const row = await ctx.deps.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', 'ext.other')
      .executeTakeFirst();
    expect(row).toBeUndefined();
  });

  test('the admin edit form saves it, shows a taken one beside the field, and the list shows it', async () => {
    const browser = await signIn(ctx.app, org.admin.username);
    const base = { display_name: org.supervisorA.display_name, role: 'supervisor', team_id: '' };
    const saved = await postForm(browser, `/admin/users/${org.supervisorA.id}`, { ...base, extension: '4001' });
    expect(saved.status).toBe(303);
    expect(await extensionOf(org.supervisorA.id)).toBe('4001');
    await admin.patch(`/api/v1/users/${org.csrA.id}`, { extension: '4002' }).expect(200);
    const taken = await postForm(browser, `/admin/users/${org.supervisorA.id}`, { ...base, extension: '4002' });
    expect(taken.status).toBe(422);
    expect(taken.text).toMatch(/id="extension-error"[^>]*>[^<]*Another person has that extension/);
    expect(await extensionOf(org.supervisorA.id)).toBe('4001');
    const list = await browser.get('/admin/users');
    expect(list.text).toContain('<th scope="col">Extension</th>');
    expect(list.text).toContain('<td>4001</td>');
  });
});
