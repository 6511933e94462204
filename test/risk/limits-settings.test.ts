import { getSettings } from '../../src/settings';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { postForm, signIn, type Agent } from '../helpers/http';
import { api, tokenFor, type Api } from '../helpers/scoring';
import { clockTo, insertCall } from '../sampling/fixtures';

// The risk flags' limits are settings (issue 16): dead air over 10 s, overtalk over 5 s and CSAT 2 or below until
// an admin changes them on the settings page (CSRF) or through PATCH /api/v1/settings; a bad value is refused
// with a message and nothing is saved; the review queue's filter, reasons and labels follow the limits at once.

let ctx: TestContext;
let org: Org;
let admin: Agent;
let adminApi: Api;
const ids: Record<string, number> = {};

const RISK_KEYS = ['risk_dead_air_s', 'risk_overtalk_s', 'risk_low_csat_max'] as const;

async function storedRiskRows() {
  return ctx.deps.db
    .selectFrom('settings')
    .select(['key', 'value'])
    .where('key', 'in', RISK_KEYS)
    .orderBy('key')
    .execute();
}

/** The calls the queue links under a filter, as the supervisor sees them. */
async function queueCalls(query: string): Promise<{ ids: number[]; html: string }> {
  const supervisor = await signIn(ctx.app, org.supervisorA.username);
  const res = await supervisor.get(`/evaluations?${query}`);
  expect(res.status).toBe(200);
  const html = res.text.slice(res.text.indexOf('id="queue-heading"'), res.text.indexOf('id="drafts-heading"'));
  return { ids: [...html.matchAll(/href="\/calls\/(\d+)"/g)].map((m) => Number(m[1])).sort((a, b) => a - b), html };
}

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  // The clock moves first: a session signed in before it would have timed out.
  clockTo(ctx, '2026-12-20T12:00:00Z');
  admin = await signIn(ctx.app, org.admin.username);
  adminApi = api(ctx.app, await tokenFor(ctx.deps, org.admin));
  const calls: Array<[string, number, number, number | null]> = [
    // name, longest dead air, overtalk in all, CSAT
    ['deadAir8', 8, 0.5, null],
    ['deadAir12', 12, 0.5, null],
    ['overtalk3', 1, 3, null],
    ['csat3', 1, 0.5, 3],
  ];
  for (const [i, [name, deadAir, overtalk, csat]] of calls.entries()) {
    const startedAt = new Date(Date.parse('2026-12-02T08:00:00Z') + i * 3_600_000).toISOString();
    const id = await insertCall(ctx.deps, org.csrA, { startedAt, externalId: `limit-${name}` });
    ids[name] = id;
    if (csat !== null) await ctx.deps.db.updateTable('calls').set({ csat }).where('id', '=', id).execute();
    await ctx.deps.db
      .insertInto('call_analyses')
      .values({
        call_id: id,
        status: 'done',
        enqueued_at: '2026-12-01T00:00:00.000Z',
        run_after: '2026-12-01T00:00:00.000Z',
        dead_air_longest_s: deadAir,
        dead_air_total_s: deadAir,
        overtalk_total_s: overtalk,
        overtalk_count: 1,
      })
      .execute();
  }
});
afterAll(async () => ctx.close());

test('the defaults: 10 s of dead air, 5 s of overtalk, CSAT 2; the page and the API show them', async () => {
  expect(await storedRiskRows()).toEqual([]);
  const settings = await getSettings(ctx.deps.db);
  expect([settings.risk_dead_air_s, settings.risk_overtalk_s, settings.risk_low_csat_max]).toEqual([10, 5, 2]);
  const res = await adminApi.get('/api/v1/settings');
  expect(res.body).toMatchObject({ risk_dead_air_s: 10, risk_overtalk_s: 5, risk_low_csat_max: 2 });
  const page = await admin.get('/admin/settings');
  expect(page.text).toMatch(/name="risk_dead_air_s"[^>]*value="10"/);
  expect((await queueCalls('risk=dead_air')).ids).toEqual([ids.deadAir12]);
  expect((await queueCalls('risk=any')).ids).toEqual([ids.deadAir12]);
});

test.each([
  [{ risk_dead_air_s: 0 }, 'risk_dead_air_s', /at least 1 second/],
  [{ risk_dead_air_s: 601 }, 'risk_dead_air_s', /at most 600 seconds/],
  [{ risk_dead_air_s: '12' }, 'risk_dead_air_s', /in seconds/],
  [{ risk_overtalk_s: 0.1 }, 'risk_overtalk_s', /at least 0.5 seconds/],
  [{ risk_low_csat_max: 5 }, 'risk_low_csat_max', /at most 4/],
  [{ risk_low_csat_max: 2.5 }, 'risk_low_csat_max', /whole number/],
  [{ risk_low_csat_max: null }, 'risk_low_csat_max', /whole number from 1 to 4/],
])('PATCH %j is a 422 naming %s, and nothing is saved', async (body, path, message) => {
  const res = await adminApi.patch('/api/v1/settings', { ...body, coaching_due_days: 9 });
  expect(res.status).toBe(422);
  const detail = (res.body.error.details as Array<{ path: string; message: string }>).find((d) => d.path === path);
  expect(detail?.message).toMatch(message);
  expect(await storedRiskRows()).toEqual([]);
  expect((await getSettings(ctx.deps.db)).coaching_due_days).toBe(7);
});

test('a bad value on the page is a 422 with the message beside the field, and nothing is saved', async () => {
  const res = await postForm(
    admin,
    '/admin/settings',
    { risk_dead_air_s: 'soon', risk_low_csat_max: '9' },
    '/admin/settings',
  );
  expect(res.status).toBe(422);
  expect(res.text).toContain('id="risk_dead_air_s-error"');
  expect(res.text).toContain('The dead-air limit must be a number of seconds.');
  expect(res.text).toContain('The low CSAT is at most 4');
  expect(await storedRiskRows()).toEqual([]);
  const noToken = await admin.post('/admin/settings').type('form').send({ risk_dead_air_s: '5' });
  expect(noToken.status).toBe(403);
  expect(await storedRiskRows()).toEqual([]);
});

test('a supervisor cannot change the limits', async () => {
  const supervisorApi = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  expect((await supervisorApi.patch('/api/v1/settings', { risk_dead_air_s: 1 })).status).toBe(403);
  expect(await storedRiskRows()).toEqual([]);
});

test('a lower dead-air limit set on the page flags the 8 s call too, with the new limit in the reason and label', async () => {
  const res = await postForm(admin, '/admin/settings', { risk_dead_air_s: '7.5' }, '/admin/settings');
  expect(res.status).toBe(303);
  expect((await getSettings(ctx.deps.db)).risk_dead_air_s).toBe(7.5);
  const queue = await queueCalls('risk=dead_air');
  expect(queue.ids).toEqual([ids.deadAir8, ids.deadAir12].sort((a, b) => a - b));
  expect(queue.html).toContain('Dead air of 8.0 s (limit 7.5 s)');
  const page = await (await signIn(ctx.app, org.supervisorA.username)).get('/evaluations');
  expect(page.text).toContain('Dead air over 7.5 s');
});

test('overtalk and CSAT limits changed through the API move the queue as well; other settings stay', async () => {
  const res = await adminApi.patch('/api/v1/settings', { risk_overtalk_s: 2.5, risk_low_csat_max: 3 });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ risk_dead_air_s: 7.5, risk_overtalk_s: 2.5, risk_low_csat_max: 3 });
  expect((await queueCalls('risk=overtalk')).ids).toEqual([ids.overtalk3]);
  const low = await queueCalls('risk=low_csat');
  expect(low.ids).toEqual([ids.csat3]);
  expect(low.html).toContain('Low CSAT: 3 of 5 (3 or below)');
  expect((await queueCalls('risk=any')).ids).toEqual(Object.values(ids).sort((a, b) => a - b));
  // Back to the defaults: only the 12 s call is flagged again.
  const reset = await adminApi.patch('/api/v1/settings', {
    risk_dead_air_s: 10,
    risk_overtalk_s: 5,
    risk_low_csat_max: 2,
  });
  expect(reset.status).toBe(200);
  expect((await queueCalls('risk=any')).ids).toEqual([ids.deadAir12]);
});
