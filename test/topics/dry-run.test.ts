import request from 'supertest';
import { callWithTranscript, tokensFor, type Tokens } from '../autoeval/fixtures';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { postForm, signIn, type Agent } from '../helpers/http';

// The topic form's dry run (issue 16): "Try it" posts the form (CSRF) and the page shows which of the last 50
// analysed calls the condition would tag, with links and reasons, saving nothing; the dry-run script reads the
// same as JSON. A bad condition is a 422 with the message on the page. Admins only; a CSR finds nothing (404).

jest.setTimeout(60_000);

let ctx: TestContext;
let org: Org;
let tokens: Tokens;
let admin: Agent;
const ids: Record<string, number> = {};

const line = (speaker: string, start_s: number, text: string) => ({ speaker, start_s, end_s: start_s + 3, text });
const COMPLAINT = JSON.stringify({
  phrase: { any_of: ['I want to complain', 'make a complaint'], speaker: 'customer' },
});

/** The call ids listed under "Would tag" (or "Would not tag") on a rendered page. */
function listed(html: string, list: 'tagged' | 'untagged'): number[] {
  const block = new RegExp(`<ul data-dry-run="${list}">([\\s\\S]*?)</ul>`).exec(html)?.[1] ?? '';
  return [...block.matchAll(/data-call="(\d+)"/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
}

async function topicCount(): Promise<number> {
  const row = await ctx.deps.db
    .selectFrom('topics')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  tokens = await tokensFor(ctx, org, ['supervisorA', 'supervisorB']);
  admin = await signIn(ctx.app, org.admin.username);
  const sup = tokens.supervisorA ?? '';
  ids.first = await callWithTranscript(ctx, sup, org.csrA.username, [
    line('agent', 0.5, 'Thank you for calling.'),
    line('customer', 42.2, 'I want to complain about my order.'),
  ]);
  ids.quiet = await callWithTranscript(ctx, sup, org.csrA.username, [
    line('agent', 0.5, 'Hello.'),
    line('customer', 4, 'Just checking my delivery date.'),
  ]);
  ids.second = await callWithTranscript(ctx, tokens.supervisorB ?? '', org.csrB.username, [
    line('customer', 3, 'I would like to MAKE a complaint, please.'),
  ]);
  ids.bare = await callWithTranscript(ctx, sup, org.csrA.username, null);
});
afterAll(async () => ctx.close());

describe('"Try it" on the add form', () => {
  test('a condition that tags 2 of the 3 analysed calls lists those 2 with links and reasons, and saves nothing', async () => {
    const before = await topicCount();
    const res = await postForm(admin, '/admin/topics/dry-run', { name: 'Complaint', rule: COMPLAINT }, '/admin/topics');
    expect(res.status).toBe(200);
    expect(listed(res.text, 'tagged')).toEqual([ids.first, ids.second].sort((a, b) => a - b));
    expect(listed(res.text, 'untagged')).toEqual([ids.quiet]);
    expect(res.text).toContain(
      'On the last 3 analysed calls, this condition would tag <strong data-dry-run-tagged>2</strong>',
    );
    expect(res.text).toContain(`<a href="/calls/${ids.first}">`);
    expect(res.text).toContain('Customer said “I want to complain” at 0:42');
    // The form keeps what was typed, so the admin can go on and add it.
    expect(res.text).toContain('value="Complaint"');
    expect(await topicCount()).toBe(before);
  });

  test('a bad condition is a 422 with the message beside the field, never a 500', async () => {
    const cases: Array<[string, string]> = [
      ['{"phrase": ', 'The condition is not valid JSON'],
      [JSON.stringify({ nope: 1 }), 'rule'],
      ['', 'Write the condition as JSON'],
      [JSON.stringify({ phrase: { any_of: [] } }), 'any_of'],
    ];
    for (const [rule, message] of cases) {
      const res = await postForm(admin, '/admin/topics/dry-run', { name: 'X', rule }, '/admin/topics');
      expect({ rule, status: res.status }).toEqual({ rule, status: 422 });
      expect(res.text).toContain('id="rule-error"');
      expect(res.text).toContain(message);
      expect(res.text).not.toContain('data-dry-run-tagged');
    }
  });

  test('without the CSRF token the form is refused', async () => {
    const res = await admin.post('/admin/topics/dry-run').type('form').send({ name: 'X', rule: COMPLAINT });
    expect(res.status).toBe(403);
    expect(res.text).not.toContain('data-dry-run-tagged');
  });
});

describe('"Try it" on a topic\'s form', () => {
  test('the condition being edited is tried, and the stored topic is left as it was', async () => {
    const added = await postForm(
      admin,
      '/admin/topics',
      { name: 'Delivery', rule: JSON.stringify({ phrase: { any_of: ['delivery'] } }), active: 'on' },
      '/admin/topics',
    );
    expect(added.status).toBe(303);
    const topic = await ctx.deps.db
      .selectFrom('topics')
      .selectAll()
      .where('name', '=', 'Delivery')
      .executeTakeFirstOrThrow();
    const page = `/admin/topics/${topic.id}`;
    const res = await postForm(admin, `${page}/dry-run`, { name: 'Delivery', rule: COMPLAINT, active: 'on' }, page);
    expect(res.status).toBe(200);
    expect(listed(res.text, 'tagged')).toEqual([ids.first, ids.second].sort((a, b) => a - b));
    const after = await ctx.deps.db
      .selectFrom('topics')
      .selectAll()
      .where('id', '=', topic.id)
      .executeTakeFirstOrThrow();
    expect(after.rule).toBe(topic.rule);
    expect(after.version).toBe(topic.version);

    const bad = await postForm(admin, `${page}/dry-run`, { name: 'Delivery', rule: '[1' }, page);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('The condition is not valid JSON');
    expect((await postForm(admin, '/admin/topics/999999/dry-run', { rule: COMPLAINT }, page)).status).toBe(404);
  });
});

describe('GET /admin/topics/dry-run (the script)', () => {
  const url = (rule: string) => `/admin/topics/dry-run?rule=${encodeURIComponent(rule)}`;

  test('answers the counts and the calls with their outcome as JSON', async () => {
    const res = await admin.get(url(COMPLAINT));
    expect(res.status).toBe(200);
    expect(res.body.counts).toEqual({ tagged: 2, untagged: 1, open: 0 });
    const byCall = new Map(res.body.calls.map((c: { call_id: number }) => [c.call_id, c]));
    expect(byCall.has(ids.bare)).toBe(false);
    expect(byCall.get(ids.first)).toMatchObject({ value: true, url: `/calls/${ids.first}` });
    expect(byCall.get(ids.quiet)).toMatchObject({ value: false });
  });

  test('a condition that is not one is a 422 with a message', async () => {
    for (const bad of ['/admin/topics/dry-run', url('{nope'), url(JSON.stringify({ all: 'x' }))]) {
      const res = await admin.get(bad);
      expect({ bad, status: res.status }).toEqual({ bad, status: 422 });
      expect(res.body.error.code).toBe('validation_failed');
      expect(typeof res.body.error.message).toBe('string');
    }
  });
});

describe('who reaches it', () => {
  test('a CSR finds nothing (404); a supervisor is refused as on the other topics pages', async () => {
    const csr = await signIn(ctx.app, org.csrA.username);
    expect((await csr.get('/admin/topics/dry-run?rule=%7B%7D')).status).toBe(404);
    expect((await postForm(csr, '/admin/topics/dry-run', { rule: COMPLAINT })).status).toBe(404);
    const supervisor = await signIn(ctx.app, org.supervisorA.username);
    const listStatus = (await supervisor.get('/admin/topics')).status;
    expect(listStatus).not.toBe(200);
    expect((await supervisor.get(`/admin/topics/dry-run?rule=${encodeURIComponent(COMPLAINT)}`)).status).toBe(
      listStatus,
    );
    expect((await postForm(supervisor, '/admin/topics/dry-run', { rule: COMPLAINT })).status).toBe(listStatus);
    expect((await request(ctx.app).get('/admin/topics/dry-run')).status).not.toBe(200);
  });
});
