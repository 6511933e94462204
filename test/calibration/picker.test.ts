import type { Call } from '../../src/db/schema';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn, type Agent } from '../helpers/http';
import { between, textOf } from '../helpers/reports';
import { makeCall } from '../helpers/scoring';

// The calibration call picker uses the call list's search and filters (the same form, the same query names):
// with no filter it offers recorded calls; any call-list filter narrows it; a bad filter is a sentence, never a
// 500; a call out of scope is never offered.

let ctx: TestContext;
let org: Org;
let recorded: Call;
let plain: Call;
let otherTeam: Call;
let page: Agent;

const offered = (html: string) =>
  [...between(html, '<select id="call_id"', '</select>').matchAll(/<option value="(\d+)"/g)].map((m) => Number(m[1]));

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  recorded = await makeCall(ctx.deps, org.admin, org.csrA, { recording: true, startedAt: '2026-11-20T10:00:00Z' });
  plain = await makeCall(ctx.deps, org.admin, org.csrA2, { startedAt: '2026-11-21T10:00:00Z' });
  otherTeam = await makeCall(ctx.deps, org.admin, org.otherCsr, { recording: true });
  page = await signIn(ctx.app, org.supervisorA.username);
});
afterAll(async () => ctx.close());

test('with no filter it offers the recorded calls in scope, using the call list’s filter form', async () => {
  const res = await page.get('/calibration/new');
  expect(res.status).toBe(200);
  expect(offered(res.text)).toEqual([recorded.id]);
  expect(textOf(between(res.text, 'id="picker-count">', '</p>'))).toBe(
    '1 matching call offered below. Only calls with a recording.',
  );
  const form = between(res.text, 'class="filter-form"', '</form>');
  for (const name of ['team_id', 'agent', 'from', 'to', 'category', 'recording', 'transcript', 'days', 'analysis']) {
    expect(form).toContain(`name="${name}"`);
  }
  expect(res.text).toContain('action="/calibration/new"');
});

test('the call list’s filters narrow the picker: agent, recording, dates', async () => {
  const all = await page.get('/calibration/new?recording=');
  expect(offered(all.text).sort()).toEqual([recorded.id, plain.id].sort());
  expect(offered(all.text)).not.toContain(otherTeam.id);
  const byAgent = await page.get(`/calibration/new?agent=${org.csrA2.username}`);
  expect(offered(byAgent.text)).toEqual([plain.id]);
  const byDate = await page.get('/calibration/new?from=2026-11-21&to=2026-11-21');
  expect(offered(byDate.text)).toEqual([plain.id]);
  const none = await page.get('/calibration/new?recording=without&agent=' + org.csrA.username);
  expect(offered(none.text)).toEqual([]);
  expect(textOf(between(none.text, 'id="picker-count">', '</p>'))).toBe('0 matching calls offered below.');
});

test('a call chosen on its own page stays offered and selected even when the filters leave it out', async () => {
  const res = await page.get(`/calibration/new?call_id=${plain.id}`);
  expect(offered(res.text)).toEqual([plain.id, recorded.id]);
  expect(res.text).toContain(`<option value="${plain.id}" selected>`);
});

test('a bad filter is a sentence beside the filters with 422, never a 500', async () => {
  const res = await page.get('/calibration/new?sort=bogus&days=abc');
  expect(res.status).toBe(422);
  expect(res.text).toContain('Some filters are not valid');
  expect(res.text).not.toMatch(/Invalid option|expected one of/);
  expect(offered(res.text)).toEqual([]);
});
