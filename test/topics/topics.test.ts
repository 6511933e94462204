import request from 'supertest';
import { topicTagging } from '../../src/topics';
import { callFields, pushCall } from '../calls/fixtures';
import { callWithTranscript, sendTranscript, tokensFor, type Tokens } from '../autoeval/fixtures';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { postForm, signIn, type Agent } from '../helpers/http';
import { csvRows, submitEvaluation, tableAfter, tenPointAnswers, tenPointRubric } from '../helpers/reports';
import { api } from '../helpers/scoring';

// Call topics (issue 16): admin-defined conditions tag every analysed call in the background, re-tag all of them
// when a topic changes, show on the staff call page, and feed the customer report's weekly topics (in the
// center's time zone) with links into the call list. A CSR never meets them.

jest.setTimeout(60_000);

let ctx: TestContext;
let org: Org;
let tokens: Tokens;
let admin: Agent;

const run = () => topicTagging(ctx.deps).run(ctx.deps);
const line = (speaker: string, start_s: number, text: string) => ({ speaker, start_s, end_s: start_s + 3, text });
const complaint = [
  line('agent', 0.5, 'Thank you for calling.'),
  line('customer', 42.2, 'I want to complain about my order.'),
];
const manager = [line('agent', 0.5, 'Hello.'), line('customer', 5, 'Let me speak to a manager please.')];
const quiet = [line('agent', 0.5, 'Hello.'), line('customer', 4, 'Just checking my delivery date.')];
const COMPLAINT_RULE = JSON.stringify({
  phrase: { any_of: ['I want to complain', 'make a complaint'], speaker: 'customer' },
});

async function tagsOf(callId: number) {
  const rows = await ctx.deps.db
    .selectFrom('call_topics')
    .innerJoin('topics', 'topics.id', 'call_topics.topic_id')
    .select(['topics.name', 'call_topics.reason'])
    .where('call_topics.call_id', '=', callId)
    .orderBy('topics.name')
    .execute();
  return rows;
}

async function addTopic(fields: Record<string, string>) {
  return postForm(admin, '/admin/topics', fields, '/admin/topics');
}

async function topicId(name: string): Promise<number> {
  const row = await ctx.deps.db.selectFrom('topics').select('id').where('name', '=', name).executeTakeFirstOrThrow();
  return row.id;
}

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  tokens = await tokensFor(ctx, org, ['admin', 'supervisorA', 'csrA']);
  admin = await signIn(ctx.app, org.admin.username);
  const zone = await api(ctx.app, tokens.admin ?? '').patch('/api/v1/settings', { time_zone: 'Europe/Berlin' });
  expect(zone.status).toBe(200);
});
afterAll(async () => ctx.close());

describe('tagging', () => {
  let complained: number;
  let asked: number;

  test('a new topic tags the analysed calls whose condition holds, with the reason', async () => {
    complained = await callWithTranscript(ctx, tokens.supervisorA ?? '', org.csrA.username, complaint);
    asked = await callWithTranscript(ctx, tokens.supervisorA ?? '', org.csrA.username, manager);
    const untranscribed = await callWithTranscript(ctx, tokens.supervisorA ?? '', org.csrA.username, null);
    const res = await addTopic({ name: 'Complaint', rule: COMPLAINT_RULE, active: 'on' });
    expect(res.status).toBe(303);
    await run();
    expect(await tagsOf(complained)).toEqual([
      { name: 'Complaint', reason: 'Customer said “I want to complain” at 0:42' },
    ]);
    expect(await tagsOf(asked)).toEqual([]);
    expect(await tagsOf(untranscribed)).toEqual([]);
    const swept = await ctx.deps.db.selectFrom('topics').select('swept_to_call_id').executeTakeFirstOrThrow();
    expect(swept.swept_to_call_id).toBe(asked);
  });

  test('a new transcript re-tags its call (queued in the same transaction)', async () => {
    await sendTranscript(ctx, tokens.supervisorA ?? '', asked, complaint);
    const queued = await ctx.deps.db.selectFrom('topic_tag_queue').select('call_id').execute();
    expect(queued.map((q) => q.call_id)).toContain(asked);
    await run();
    expect((await tagsOf(asked)).map((t) => t.name)).toEqual(['Complaint']);
    await sendTranscript(ctx, tokens.supervisorA ?? '', asked, quiet);
    await run();
    expect(await tagsOf(asked)).toEqual([]);
    expect(await ctx.deps.db.selectFrom('topic_tag_queue').select('call_id').execute()).toEqual([]);
  });

  test('changing a topic re-tags every analysed call; turning it off hides it; a sweep resumes after a restart', async () => {
    const id = await topicId('Complaint');
    const managerRule = JSON.stringify({ phrase: { any_of: ['speak to a manager'], speaker: 'customer' } });
    await sendTranscript(ctx, tokens.supervisorA ?? '', asked, manager);
    await run();
    const saved = await postForm(
      admin,
      `/admin/topics/${id}`,
      { name: 'Escalation', rule: managerRule, active: 'on' },
      '/admin/topics',
    );
    expect(saved.status).toBe(303);
    await run();
    expect(await tagsOf(complained)).toEqual([]);
    expect((await tagsOf(asked)).map((t) => t.name)).toEqual(['Escalation']);
    // As after a crash mid-sweep: the stored position says where to go on from.
    await ctx.deps.db.updateTable('topics').set({ swept_to_call_id: complained }).where('id', '=', id).execute();
    await ctx.deps.db.deleteFrom('call_topics').execute();
    await run();
    expect(await tagsOf(complained)).toEqual([]);
    expect((await tagsOf(asked)).map((t) => t.name)).toEqual(['Escalation']);
    const page = await admin.get(`/calls/${asked}`);
    expect(page.text).toContain('id="topics-heading"');
    expect(page.text).toContain('Escalation');
    expect(page.text).toContain('Customer said “speak to a manager” at 0:05');
    await postForm(admin, `/admin/topics/${id}`, { name: 'Escalation', rule: managerRule }, '/admin/topics');
    expect((await admin.get(`/calls/${asked}`)).text).not.toContain('id="topics-heading"');
    await postForm(admin, `/admin/topics/${id}/delete`, {}, '/admin/topics');
    expect(await ctx.deps.db.selectFrom('call_topics').selectAll().execute()).toEqual([]);
  });

  test('a call stored with its transcript is queued in its own transaction: a sweep past its id still tags it', async () => {
    expect((await addTopic({ name: 'Complaint', rule: COMPLAINT_RULE, active: 'on' })).status).toBe(303);
    await run();
    // As on PostgreSQL when a call with a higher id committed first and the sweep went past this one's id.
    await ctx.deps.db.updateTable('topics').set({ swept_to_call_id: 1_000_000 }).execute();
    const text = 'Agent: Thank you for calling.\nCustomer: I want to complain about my bill.\n';
    const res = await pushCall(ctx.app, tokens.supervisorA ?? '', callFields(org.csrA.username), [
      { field: 'transcript', bytes: Buffer.from(text), filename: 't.txt', contentType: 'text/plain' },
    ]);
    expect(res.status).toBe(201);
    const id = (res.body as { id: number }).id;
    for (const table of ['topic_tag_queue', 'auto_evaluation_queue'] as const) {
      const queued = await ctx.deps.db.selectFrom(table).select('call_id').execute();
      expect(queued.map((q) => q.call_id)).toContain(id);
    }
    await run();
    expect((await tagsOf(id)).map((t) => t.name)).toEqual(['Complaint']);
  });
});

describe('the admin page', () => {
  test.each([
    [{ name: '', rule: COMPLAINT_RULE }, 'name', 'Give the topic a name.'],
    [{ name: 'Bad JSON', rule: '{"phrase": ' }, 'rule', 'not valid JSON'],
    [{ name: 'Empty', rule: '' }, 'rule', 'Write the condition as JSON'],
    [
      { name: 'No phrases', rule: '{"phrase": {"any_of": []}}' },
      'rule',
      'phrase.any_of: any_of needs at least one phrase.',
    ],
    [{ name: 'Unknown', rule: '{"said": "hi"}' }, 'rule', 'A condition is an object with one of'],
  ])('refuses %j with 422 and a message beside the field, storing nothing', async (fields, field, message) => {
    const before = await ctx.deps.db.selectFrom('topics').select('id').execute();
    const res = await addTopic(fields);
    expect(res.status).toBe(422);
    expect(res.text).toContain(`id="${field}-error"`);
    expect(res.text).toContain(message);
    expect(await ctx.deps.db.selectFrom('topics').select('id').execute()).toEqual(before);
  });

  test('names are unique regardless of case', async () => {
    expect((await addTopic({ name: 'Billing dispute', rule: COMPLAINT_RULE, active: 'on' })).status).toBe(303);
    const again = await addTopic({ name: 'BILLING DISPUTE', rule: COMPLAINT_RULE, active: 'on' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('A topic with that name already exists.');
  });

  test('a CSR finds no topics page, no topic filter, no topics on anything; other staff are refused', async () => {
    const csr = await signIn(ctx.app, org.csrA.username);
    expect((await csr.get('/admin/topics')).status).toBe(404);
    expect((await csr.get(`/admin/topics/${await topicId('Billing dispute')}`)).status).toBe(404);
    expect((await csr.get('/')).text).not.toMatch(/topic/i);
    const csrList = await request(ctx.app).get('/api/v1/calls?topic=1').set('Authorization', `Bearer ${tokens.csrA}`);
    expect(csrList.status).toBe(403);
    const supervisor = await signIn(ctx.app, org.supervisorA.username);
    expect((await supervisor.get('/admin/topics')).status).toBe(403);
  });
});

describe('the customer report', () => {
  // Europe/Berlin is UTC+1 in November: 2026-11-22T23:30Z is Monday 00:30 local, in the week of 23 November,
  // while 22:30Z is Sunday 23:30 local, in the week of 16 November. In UTC both would be in the week of the 16th.
  test('topics per local week: calls, share of analysed calls, CSAT, human score, links and CSV', async () => {
    await ctx.deps.db.deleteFrom('topics').execute();
    expect((await addTopic({ name: 'Complaint', rule: COMPLAINT_RULE, active: 'on' })).status).toBe(303);
    const sup = tokens.supervisorA ?? '';
    const agent = org.csrA.username;
    const a = await callWithTranscript(ctx, sup, agent, complaint, { started_at: '2026-12-06T22:30:00Z', csat: '2' });
    await callWithTranscript(ctx, sup, agent, quiet, { started_at: '2026-12-01T10:00:00Z', csat: '5' });
    await callWithTranscript(ctx, sup, agent, null, { started_at: '2026-12-02T10:00:00Z', csat: '1' });
    const b = await callWithTranscript(ctx, sup, agent, complaint, { started_at: '2026-12-06T23:30:00Z', csat: '4' });
    await callWithTranscript(ctx, sup, agent, quiet, { started_at: '2026-12-08T10:00:00Z', csat: '3' });
    await callWithTranscript(ctx, sup, agent, quiet, { started_at: '2026-12-09T10:00:00Z', csat: '3' });
    await callWithTranscript(ctx, sup, agent, quiet, { started_at: '2026-12-10T10:00:00Z' });
    const rubric = await tenPointRubric(ctx.deps);
    await submitEvaluation(api(ctx.app, sup), b, rubric, tenPointAnswers(rubric, 80));
    await submitEvaluation(api(ctx.app, sup), b, rubric, tenPointAnswers(rubric, 60));
    await run();
    const page = await admin.get('/reports/customers?from=2026-11-30&to=2026-12-13');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Share is of the week');
    const rows = tableAfter(page.text, 'Call topics per week');
    expect(rows.slice(1)).toEqual([
      ['2026-11-30', 'Complaint', '1', '50.0% (of 2)', '2.00 (1)', 'n/a'],
      ['2026-12-07', 'Complaint', '1', '25.0% (of 4)', '4.00 (1)', '70.0 (2)'],
    ]);
    const link = /<tr data-week="2026-12-07"[^>]*>[\s\S]*?<a href="([^"]+)"/
      .exec(page.text)?.[1]
      ?.replace(/&amp;/g, '&');
    expect(link).toBe(
      `/calls?topic=${await topicId('Complaint')}&from=2026-12-06T23%3A00%3A00.000Z&to=2026-12-13T23%3A00%3A00.000Z`,
    );
    const list = await admin.get(link ?? '');
    expect(list.status).toBe(200);
    expect(list.text).toContain(`href="/calls/${b}"`);
    expect(list.text).not.toContain(`href="/calls/${a}"`);
    // The filter chip names the topic (not its id); an unknown id still shows as a removable chip.
    expect(list.text).toContain('aria-label="Remove filter: Topic: Complaint"');
    expect((await admin.get('/calls?topic=99999')).text).toContain('aria-label="Remove filter: Topic: #99999"');
    const csv = await admin.get('/reports/table/customer-topics.csv?from=2026-11-30&to=2026-12-13');
    expect(csvRows(csv.text)).toEqual([
      ['week', 'topic', 'calls', 'analysed_calls', 'share_pct', 'avg_csat', 'csat_calls', 'avg_score', 'scorecards'],
      ['2026-11-30', 'Complaint', '1', '2', '50.0', '2.00', '1', '', '0'],
      ['2026-12-07', 'Complaint', '1', '4', '25.0', '4.00', '1', '70.0', '2'],
    ]);
  });
});
