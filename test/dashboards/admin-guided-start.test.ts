import type { User } from '../../src/db/schema';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, buildUser } from '../helpers/builders';
import { postForm, signIn, type Agent } from '../helpers/http';
import { between, insertCall, tenPointRubric, textOf } from '../helpers/reports';
import { planOf, statementsDuring } from '../helpers/statements';

// The admin's guided start on the home page: make your org, import users, connect your phone system, choose a
// rubric. Each step is ticked from the data (demo calls do not count as a phone system); hiding it is per admin.

let ctx: TestContext;
let admin: User;
let page: Agent;

beforeAll(async () => {
  ctx = makeTestApp();
  admin = await buildUser(ctx.deps, 'admin');
  page = await signIn(ctx.app, admin.username);
});
afterAll(async () => ctx.close());

async function steps(agent: Agent = page): Promise<Record<string, string>> {
  const res = await agent.get('/');
  expect(res.status).toBe(200);
  if (!res.text.includes('class="guided-start"')) return {};
  const list = between(res.text, '<ol class="guided-steps">', '</ol>');
  return Object.fromEntries(
    [...list.matchAll(/<li class="step-(done|todo)" data-step="(\w+)">/g)].map((m) => [m[2], m[1]]),
  );
}

test('a fresh install shows four steps, none done, each with a link', async () => {
  expect(await steps()).toEqual({ org: 'todo', users: 'todo', phone: 'todo', rubric: 'todo' });
  const html = (await page.get('/')).text;
  expect(textOf(between(html, 'id="guided-start-heading">', '</h2>'))).toBe('Guided start (0 of 4 done)');
  for (const href of ['/admin/org', '/admin/users', '/calls/import', '/rubrics']) {
    expect(between(html, '<ol class="guided-steps">', '</ol>')).toContain(`href="${href}"`);
  }
});

test('steps tick off as the data appears: org and people, a published rubric, then a real call', async () => {
  const org = await buildOrg(ctx.deps);
  expect(await steps()).toEqual({ org: 'done', users: 'done', phone: 'todo', rubric: 'todo' });
  await tenPointRubric(ctx.deps);
  expect((await steps()).rubric).toBe('done');
  const demoCall = await insertCall(ctx.deps, { started_at: '2026-11-20T10:00:00.000Z', agent: org.csrA });
  await ctx.deps.db.updateTable('calls').set({ source: 'demo' }).where('id', '=', demoCall).execute();
  expect((await steps()).phone).toBe('todo');
  await insertCall(ctx.deps, { started_at: '2026-11-20T11:00:00.000Z', agent: org.csrA });
  expect(await steps()).toEqual({ org: 'done', users: 'done', phone: 'done', rubric: 'done' });
  const html = (await page.get('/')).text;
  expect(textOf(between(html, 'id="guided-start-heading">', '</h2>'))).toBe('You are set up (4 of 4 done)');
});

test('a call from any source but the demo counts, found by searching the source index, not by a scan', async () => {
  const fresh = makeTestApp();
  try {
    const freshAdmin = await buildUser(fresh.deps, 'admin');
    const org = await buildOrg(fresh.deps);
    const agent = await signIn(fresh.app, freshAdmin.username);
    const call = await insertCall(fresh.deps, { started_at: '2026-11-20T10:00:00.000Z', agent: org.csrA });
    const setSource = (source: string) =>
      fresh.deps.db.updateTable('calls').set({ source }).where('id', '=', call).execute();
    await setSource('demo');
    expect((await steps(agent)).phone).toBe('todo');
    // Sources sorting after and before 'demo', and ones that only start or end like it.
    for (const source of ['pbx', 'csv', 'default', 'demo2', 'Demo', 'ademo']) {
      await setSource(source);
      expect({ source, phone: (await steps(agent)).phone }).toEqual({ source, phone: 'done' });
    }
    await setSource('demo');
    const seen = await statementsDuring(fresh, () => agent.get('/'));
    const query = seen.find((text) => text.includes('from "calls"') && text.includes('"source"'));
    expect(query).toBeDefined();
    expect(planOf(fresh, query!).map((row) => row.detail)).toEqual([
      'MULTI-INDEX OR',
      'INDEX 1',
      'SEARCH calls USING COVERING INDEX sqlite_autoindex_calls_1 (source<?)',
      'INDEX 2',
      'SEARCH calls USING COVERING INDEX sqlite_autoindex_calls_1 (source>?)',
    ]);
  } finally {
    await fresh.close();
  }
});

test('a draft rubric is not a chosen rubric', async () => {
  const fresh = makeTestApp();
  try {
    const freshAdmin = await buildUser(fresh.deps, 'admin');
    const draft = await tenPointRubric(fresh.deps);
    await fresh.deps.db.updateTable('rubrics').set({ status: 'draft' }).where('id', '=', draft.id).execute();
    expect((await steps(await signIn(fresh.app, freshAdmin.username))).rubric).toBe('todo');
  } finally {
    await fresh.close();
  }
});

test('hiding it needs the CSRF token, hides it for this admin only, and only an admin may', async () => {
  const refused = await page.post('/guided-start/dismiss').type('form').send({});
  expect(refused.status).toBe(403);
  expect(Object.keys(await steps())).toHaveLength(4);

  const manager = await signIn(ctx.app, (await buildUser(ctx.deps, 'manager')).username);
  const byManager = await postForm(manager, '/guided-start/dismiss', {});
  expect([403, 404]).toContain(byManager.status);

  const res = await postForm(page, '/guided-start/dismiss', {});
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/');
  expect(await steps()).toEqual({});
  expect((await postForm(page, '/guided-start/dismiss', {})).status).toBe(303);

  const otherAdmin = await signIn(ctx.app, (await buildUser(ctx.deps, 'admin')).username);
  expect(Object.keys(await steps(otherAdmin))).toHaveLength(4);
});
