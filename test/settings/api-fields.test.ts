// Every setting of the settings page is in GET/PATCH /api/v1/settings: lists (inbound contexts, speaker
// names) as arrays, validated with a message per field; a refused PATCH changes nothing.
import { getSettings } from '../../src/settings';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { api, tokenFor, type Api } from '../helpers/scoring';

let ctx: TestContext;
let org: Org;
let admin: Api;

beforeEach(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  admin = api(ctx.app, await tokenFor(ctx.deps, org.admin));
});
afterEach(async () => ctx.close());

test('GET shows every setting of the page, lists as arrays', async () => {
  const res = await admin.get('/api/v1/settings');
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({
    recording_retention_days: 0,
    coaching_due_days: 7,
    recognition_min_evaluations: 3,
    pbx_inbound_contexts: ['from-trunk', 'from-pstn', 'from-did-direct', 'from-external', 'ext-queues', 'public'],
  });
  expect(res.body.transcript_agent_names.length).toBeGreaterThan(0);
});

test('PATCH changes the inbound contexts and the other page settings, stored as the page keeps them', async () => {
  const res = await admin.patch('/api/v1/settings', {
    pbx_inbound_contexts: [' from-sip-trunk ', 'ivr-main', 'from-sip-trunk'],
    coaching_due_days: 10,
    recording_retention_days: 365,
    recognition_min_evaluations: 5,
    transcript_agent_names: ['Rep', 'Agent'],
  });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({
    pbx_inbound_contexts: ['from-sip-trunk', 'ivr-main'],
    coaching_due_days: 10,
    recording_retention_days: 365,
    recognition_min_evaluations: 5,
  });
  const stored = await getSettings(ctx.deps.db);
  expect(stored.pbx_inbound_contexts).toBe('from-sip-trunk, ivr-main');
  expect(stored.coaching_due_days).toBe(10);
  expect((await admin.get('/api/v1/settings')).body.pbx_inbound_contexts).toEqual(['from-sip-trunk', 'ivr-main']);
});

test.each([
  [{ pbx_inbound_contexts: [] }, 'pbx_inbound_contexts', /at least one context/],
  [{ pbx_inbound_contexts: 'from-trunk' }, 'pbx_inbound_contexts', /as a list/],
  [{ pbx_inbound_contexts: ['from trunk'] }, 'pbx_inbound_contexts.0', /no commas or spaces/],
  [{ pbx_inbound_contexts: ['a,b'] }, 'pbx_inbound_contexts.0', /no commas/],
  [{ transcript_customer_names: ['  '] }, 'transcript_customer_names.0', /blank/],
  [{ coaching_due_days: 0 }, 'coaching_due_days', /at least 1 day/],
  [{ recording_retention_days: -1 }, 'recording_retention_days', /negative/],
  [{ recognition_min_evaluations: 'five' }, 'recognition_min_evaluations', /whole number/],
])('%j is a 422 naming %s, and nothing changes', async (body, path, message) => {
  const before = await getSettings(ctx.deps.db);
  const res = await admin.patch('/api/v1/settings', {
    ...body,
    coaching_due_days: (body as Record<string, unknown>).coaching_due_days ?? 9,
  });
  expect(res.status).toBe(422);
  const detail = (res.body.error.details as Array<{ path: string; message: string }>).find((d) => d.path === path);
  expect(detail?.message).toMatch(message);
  expect(await getSettings(ctx.deps.db)).toEqual(before);
});

test('a supervisor reads the settings but may not change the contexts', async () => {
  const sup = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  expect((await sup.get('/api/v1/settings')).status).toBe(200);
  expect((await sup.patch('/api/v1/settings', { pbx_inbound_contexts: ['x'] })).status).toBe(403);
});
