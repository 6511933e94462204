import request from 'supertest';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { csrfFrom, signIn, type Agent } from '../helpers/http';
import {
  api,
  makeCall,
  publishedRubric,
  tokenFor,
  workedExampleAnswers,
  workedExampleRubric,
} from '../helpers/scoring';

// Issue 20: the dense call list: score column, chips, sort, saved views per user, scope.

let ctx: TestContext;
let org: Org;
let sup: Agent;

beforeEach(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  sup = await signIn(ctx.app, org.supervisorA.username);
});
afterEach(async () => ctx.close());

function rowsOf(html: string): string[] {
  return [...html.matchAll(/<tr data-call-id="(\d+)"/g)].map((m) => m[1] ?? '');
}

describe('the call list page', () => {
  test('a bogus sort gets a person’s message, not the validator’s list of options', async () => {
    const res = await sup.get('/calls?sort=bogus');
    expect(res.status).toBe(422);
    expect(res.text).toContain('Sort by start time, duration, hold, queue wait or CSAT.');
    expect(res.text).not.toContain('Invalid option');
    expect(res.text).not.toContain('expected one of');
  });

  test('shows the latest score with pass/fail and links to the scorecard', async () => {
    const rubric = await publishedRubric(ctx.deps, workedExampleRubric());
    const call = await makeCall(ctx.deps, org.admin, org.csrA);
    const unscored = await makeCall(ctx.deps, org.admin, org.csrA);
    const token = await tokenFor(ctx.deps, org.supervisorA);
    const made = await api(ctx.app, token).post('/api/v1/evaluations', {
      call_id: call.id,
      rubric_id: rubric.id,
      answers: workedExampleAnswers(rubric),
      submit: true,
    });
    expect(made.status).toBe(201);
    const id = (made.body as { id: number }).id;
    const res = await sup.get('/calls');
    expect(res.status).toBe(200);
    const row = res.text.slice(res.text.indexOf(`data-call-id="${call.id}"`));
    expect(row.slice(0, row.indexOf('</tr>'))).toMatch(
      new RegExp(`href="/evaluations/${id}">79\\.2%</a> <span class="badge badge-pass">pass`),
    );
    const bare = res.text.slice(res.text.indexOf(`data-call-id="${unscored.id}"`));
    expect(bare.slice(0, bare.indexOf('</tr>'))).not.toContain('/evaluations/');
  });

  test('active filters show as chips, each linking to the list without it', async () => {
    const res = await sup.get(`/calls?evaluated=false&recording=with&days=7&team_id=${org.teamA}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('aria-label="Remove filter: Not yet scored"');
    expect(res.text).toContain('aria-label="Remove filter: Last 7 days"');
    expect(res.text).toMatch(
      /href="\/calls\?team_id=\d+&amp;recording=with&amp;days=7" class="chip" aria-label="Remove filter: Not yet scored"/,
    );
    expect(res.text).toMatch(/aria-label="Remove filter: Team: Team A[^"]*"|aria-label="Remove filter: Team: /);
  });

  test('"last N days" is relative to today and filters the rows', async () => {
    const now = ctx.clock.now().getTime();
    const recent = await makeCall(ctx.deps, org.admin, org.csrA, {
      startedAt: new Date(now - 2 * 86_400_000).toISOString(),
    });
    const old = await makeCall(ctx.deps, org.admin, org.csrA, {
      startedAt: new Date(now - 20 * 86_400_000).toISOString(),
    });
    const rows = rowsOf((await sup.get('/calls?days=7')).text);
    expect(rows).toContain(String(recent.id));
    expect(rows).not.toContain(String(old.id));
  });

  test('column headers sort, and the current one says its direction', async () => {
    await makeCall(ctx.deps, org.admin, org.csrA);
    const res = await sup.get('/calls?sort=duration_s&order=asc');
    expect(res.text).toMatch(/aria-sort="ascending"><a href="\/calls\?sort=duration_s">Duration/);
    expect(res.text).toMatch(
      /aria-sort="none"><a href="\/calls\?sort=started_at&amp;order=desc"|aria-sort="none"><a href="\/calls">Time/,
    );
  });

  test('a CSR has no call list, so no score column or saved view reaches them', async () => {
    const csr = await signIn(ctx.app, org.csrA.username);
    expect((await csr.get('/calls')).status).toBe(403);
    const token = await csrfFrom(csr, '/profile');
    const res = await csr.post('/calls/views').type('form').send({ _csrf: token, name: 'mine', query: '' });
    expect(res.status).toBe(403);
  });
});

describe('saved views', () => {
  async function save(agent: Agent, fields: Record<string, string>) {
    const token = await csrfFrom(agent, '/calls');
    return agent
      .post('/calls/views')
      .type('form')
      .send({ _csrf: token, ...fields });
  }

  test('a supervisor saves the current filters under a name and opens it again', async () => {
    const res = await save(sup, {
      name: 'My team, unscored, with recording, last 7 days',
      query: 'evaluated=false&recording=with&days=7',
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/calls?evaluated=false&recording=with&days=7');
    const page = await sup.get('/calls');
    expect(page.text).toContain(
      '<a href="/calls?evaluated=false&amp;recording=with&amp;days=7">My team, unscored, with recording, last 7 days</a>',
    );
  });

  test('views are per person: another supervisor neither sees nor deletes them', async () => {
    await save(sup, { name: 'Long holds', query: 'min_hold=60' });
    const row = await ctx.deps.db.selectFrom('saved_call_views').selectAll().executeTakeFirstOrThrow();
    const other = await signIn(ctx.app, org.supervisorB.username);
    expect((await other.get('/calls')).text).not.toContain('Long holds');
    const token = await csrfFrom(other, '/calls');
    const del = await other.post(`/calls/views/${row.id}/delete`).type('form').send({ _csrf: token });
    expect(del.status).toBe(404);
    const mine = await csrfFrom(sup, '/calls');
    expect((await sup.post(`/calls/views/${row.id}/delete`).type('form').send({ _csrf: mine })).status).toBe(303);
    expect(await ctx.deps.db.selectFrom('saved_call_views').selectAll().execute()).toEqual([]);
  });

  test('a nameless view or one with invalid filters is 422 with a message, and nothing is saved', async () => {
    const nameless = await save(sup, { name: '  ', query: 'days=7' });
    expect(nameless.status).toBe(422);
    expect(nameless.text).toContain('A name for the view is required.');
    const bad = await save(sup, { name: 'Broken', query: 'sort=bogus' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('The current filters are not valid');
    expect(await ctx.deps.db.selectFrom('saved_call_views').selectAll().execute()).toEqual([]);
  });

  test('saving without the CSRF token is refused', async () => {
    const res = await sup.post('/calls/views').type('form').send({ name: 'x', query: '' });
    expect(res.status).toBe(403);
    expect(await ctx.deps.db.selectFrom('saved_call_views').selectAll().execute()).toEqual([]);
  });

  test('the same name again replaces the view; a page cursor is never stored', async () => {
    await save(sup, { name: 'Mine', query: 'days=7' });
    await save(sup, { name: 'Mine', query: 'days=30&cursor=abc&limit=10' });
    const rows = await ctx.deps.db.selectFrom('saved_call_views').select(['name', 'query']).execute();
    expect(rows).toEqual([{ name: 'Mine', query: 'days=30' }]);
  });
});

test('the list is refused to someone not signed in', async () => {
  const res = await request(ctx.app).get('/calls').set('Accept', 'text/html');
  expect(res.status).toBe(401);
  expect(res.text).not.toContain('data-call-id');
});
