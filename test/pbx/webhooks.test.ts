import { Webhook as Verifier } from 'standardwebhooks';
import request from 'supertest';
import { inTransaction } from '../../src/db/transaction';
import { deliverDue, queueWebhookEvent, RETRY_DELAYS_S } from '../../src/webhooks';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { postForm, signIn } from '../helpers/http';
import {
  api,
  makeCall,
  publishedRubric,
  tokenFor,
  workedExampleAnswers,
  workedExampleRubric,
  type Api,
} from '../helpers/scoring';
import { Receiver } from './receiver';

let ctx: TestContext;
let org: Org;
let admin: Api;
let receiver: Receiver;

beforeEach(async () => {
  ctx = makeTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true' });
  org = await buildOrg(ctx.deps);
  admin = api(ctx.app, await tokenFor(ctx.deps, org.admin));
  receiver = new Receiver();
  await receiver.start();
});
afterEach(async () => {
  await receiver.stop();
  await ctx.close();
});

async function addWebhook(events = ['evaluation.submitted', 'evaluation.released']) {
  const res = await admin.post('/api/v1/webhooks', { url: receiver.url(), events, description: 'BI' });
  expect(res.status).toBe(201);
  return res.body as { id: number; secret: string };
}

const COMMENT = 'Private remark about the caller Jane Q.';

async function submitScorecard(releaseMode: 'manual' | 'on_submit' = 'manual') {
  const rubric = await publishedRubric(ctx.deps, workedExampleRubric({ release_mode: releaseMode }));
  const call = await makeCall(ctx.deps, org.admin, org.csrA);
  const scorer = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  const res = await scorer.post('/api/v1/evaluations', {
    call_id: call.id,
    rubric_id: rubric.id,
    answers: workedExampleAnswers(rubric).map((a) => ({ ...a, comment: COMMENT })),
    comment: COMMENT,
    submit: true,
  });
  expect(res.status).toBe(201);
  return { evaluationId: res.body.id as number, callId: call.id };
}

const deliveries = () => ctx.deps.db.selectFrom('webhook_deliveries').selectAll().orderBy('id').execute();

test('a submitted scorecard is delivered signed (verified by the standardwebhooks library), ids and figures only', async () => {
  const { id, secret } = await addWebhook();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  const listed = await admin.get('/api/v1/webhooks');
  expect(JSON.stringify(listed.body)).not.toContain(secret);
  expect(listed.body.items[0]).toMatchObject({
    id,
    active: true,
    events: ['evaluation.submitted', 'evaluation.released'],
  });

  // The signature's timestamp comes from the app's clock; the verifier compares it with the real one.
  ctx.clock.advance(Date.now() - ctx.clock.now().getTime());
  const { evaluationId, callId } = await submitScorecard();
  expect(receiver.requests).toHaveLength(0);
  expect(await deliverDue(ctx.deps)).toEqual({ sent: 1, delivered: 1 });
  const [got] = receiver.requests;
  if (!got) throw new Error('nothing received');
  const payload = new Verifier(secret).verify(got.body, got.headers as Record<string, string>) as {
    type: string;
    data: Record<string, unknown>;
  };
  expect(payload.type).toBe('evaluation.submitted');
  expect(payload.data).toMatchObject({
    evaluation_id: evaluationId,
    call_id: callId,
    agent_id: org.csrA.id,
    passed: true,
  });
  expect(got.body).not.toContain('Jane');
  expect(got.headers['content-type']).toBe('application/json');
  // A tampered body fails the same check.
  expect(() =>
    new Verifier(secret).verify(got.body.replace('submitted', 'released'), got.headers as Record<string, string>),
  ).toThrow();
  const log = await admin.get(`/api/v1/webhooks/${id}/deliveries`);
  expect(log.body.items[0]).toMatchObject({
    status: 'delivered',
    attempts: 1,
    response_code: 200,
    event_type: 'evaluation.submitted',
  });
});

test('a submit released at once queues each event for every webhook that takes it, in event order, one message each', async () => {
  const both = await addWebhook();
  const releasedOnly = await addWebhook(['evaluation.released']);
  const off = await addWebhook(['evaluation.submitted', 'evaluation.released']);
  expect((await admin.patch(`/api/v1/webhooks/${off.id}`, { active: false })).status).toBe(200);
  const { evaluationId } = await submitScorecard('on_submit');
  const queued = await deliveries();
  expect(queued.map((d) => [d.webhook_id, d.event_type])).toEqual([
    [both.id, 'evaluation.submitted'],
    [both.id, 'evaluation.released'],
    [releasedOnly.id, 'evaluation.released'],
  ]);
  expect(new Set(queued.map((d) => d.message_id)).size).toBe(3);
  const bodies = queued.map((d) => JSON.parse(d.body) as { type: string; data: { evaluation_id: number } });
  expect(bodies.map((b) => [b.type, b.data.evaluation_id])).toEqual([
    ['evaluation.submitted', evaluationId],
    ['evaluation.released', evaluationId],
    ['evaluation.released', evaluationId],
  ]);
});

test('a receiver failing twice is retried with growing delays and the same webhook-id, then delivered', async () => {
  await addWebhook();
  await submitScorecard();
  receiver.script = [500, 503, 204];
  await deliverDue(ctx.deps);
  let [row] = await deliveries();
  expect(row).toMatchObject({ status: 'pending', attempts: 1, response_code: 500 });
  // Not due yet: nothing is sent before the delay.
  expect(await deliverDue(ctx.deps)).toEqual({ sent: 0, delivered: 0 });
  ctx.clock.advance((RETRY_DELAYS_S[0] ?? 0) * 1000);
  await deliverDue(ctx.deps);
  [row] = await deliveries();
  expect(row).toMatchObject({ status: 'pending', attempts: 2, response_code: 503 });
  const gap = Date.parse(row?.next_attempt_at ?? '') - Date.parse(row?.last_attempt_at ?? '');
  expect(gap).toBe((RETRY_DELAYS_S[1] ?? 0) * 1000);
  ctx.clock.advance(gap);
  expect(await deliverDue(ctx.deps)).toEqual({ sent: 1, delivered: 1 });
  [row] = await deliveries();
  expect(row).toMatchObject({ status: 'delivered', attempts: 3, response_code: 204 });
  const ids = receiver.requests.map((r) => r.headers['webhook-id']);
  expect(ids).toHaveLength(3);
  expect(new Set(ids).size).toBe(1);
});

test('410 Gone turns the webhook off; later events are not queued for it', async () => {
  const { id } = await addWebhook();
  await submitScorecard();
  receiver.script = [410];
  await deliverDue(ctx.deps);
  expect((await deliveries())[0]).toMatchObject({ status: 'failed', response_code: 410 });
  const hook = await admin.get(`/api/v1/webhooks/${id}`);
  expect(hook.body).toMatchObject({ active: false, disabled_reason: expect.stringMatching(/410/) });
  await submitScorecard();
  expect(await deliveries()).toHaveLength(1);
});

test('a receiver that does not answer in time is retried later', async () => {
  await addWebhook();
  await submitScorecard();
  receiver.script = ['hang'];
  await deliverDue(ctx.deps, { timeoutMs: 300 });
  expect((await deliveries())[0]).toMatchObject({
    status: 'pending',
    attempts: 1,
    response_code: null,
    last_error: expect.stringMatching(/No answer within/),
  });
});

test('an event of a rolled-back change is never queued; a refused submit queues nothing', async () => {
  await addWebhook();
  await expect(
    inTransaction(ctx.deps.db, async (trx) => {
      await queueWebhookEvent(trx, '2026-11-23T09:00:00.000Z', 'evaluation.submitted', { evaluation_id: 1 });
      throw new Error('rolled back');
    }),
  ).rejects.toThrow('rolled back');
  const scorer = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  const refused = await scorer.post('/api/v1/evaluations', {
    call_id: 999_999,
    rubric_id: 1,
    answers: [],
    submit: true,
  });
  expect(refused.status).toBeGreaterThanOrEqual(400);
  expect(await deliveries()).toHaveLength(0);
});

test('redeliver queues the message again with the same webhook-id; a turned-off webhook refuses it (409)', async () => {
  const { id } = await addWebhook();
  await submitScorecard();
  await deliverDue(ctx.deps);
  const [first] = await deliveries();
  const again = await admin.post(`/api/v1/webhooks/${id}/deliveries/${first?.id}/redeliver`);
  expect(again.status).toBe(201);
  expect(again.body).toMatchObject({ message_id: first?.message_id, status: 'pending', attempts: 0 });
  await deliverDue(ctx.deps);
  expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([first?.message_id, first?.message_id]);
  await admin.patch(`/api/v1/webhooks/${id}`, { active: false }).expect(200);
  expect((await admin.post(`/api/v1/webhooks/${id}/deliveries/${first?.id}/redeliver`)).status).toBe(409);
  expect((await admin.post(`/api/v1/webhooks/${id}/deliveries/999999/redeliver`)).status).toBe(404);
  await request(ctx.app)
    .delete(`/api/v1/webhooks/${id}`)
    .set('Authorization', `Bearer ${await tokenFor(ctx.deps, org.admin)}`)
    .expect(204);
  expect(await deliveries()).toHaveLength(0);
});

test('bad input is a 422 with the field; only an admin may see or change webhooks', async () => {
  const bad = [
    { url: 'not a url', events: ['evaluation.submitted'] },
    { url: 'ftp://example.com/x', events: ['evaluation.submitted'] },
    { url: 'https://user:pw@example.com/x', events: ['evaluation.submitted'] },
    { url: 'https://example.com/x', events: [] },
    { url: 'https://example.com/x', events: ['evaluation.deleted'] },
  ];
  for (const body of bad) expect((await admin.post('/api/v1/webhooks', body)).status).toBe(422);
  for (const user of [org.manager, org.supervisorA, org.csrA]) {
    const other = api(ctx.app, await tokenFor(ctx.deps, user));
    expect((await other.get('/api/v1/webhooks')).status).toBe(403);
    expect((await other.post('/api/v1/webhooks', { url: receiver.url(), events: ['call.analysed'] })).status).toBe(403);
  }
  expect(await ctx.deps.db.selectFrom('webhooks').selectAll().execute()).toHaveLength(0);
});

test('the admin page adds a webhook, shows its secret once, and lists deliveries with a redeliver button', async () => {
  const browser = await signIn(ctx.app, org.admin.username);
  const made = await postForm(
    browser,
    '/admin/webhooks',
    { url: receiver.url(), events: 'evaluation.submitted' },
    '/admin/webhooks',
  );
  expect(made.status).toBe(201);
  const secret = /value="(whsec_[^"]+)"/.exec(made.text)?.[1];
  expect(secret).toBeDefined();
  const [hook] = await ctx.deps.db.selectFrom('webhooks').selectAll().execute();
  await submitScorecard();
  await deliverDue(ctx.deps);
  const page = await browser.get(`/admin/webhooks/${hook?.id}`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('evaluation.submitted');
  expect(page.text).toContain('Redeliver');
  expect(page.text).not.toContain(secret ?? 'x');
  expect((await browser.get('/admin/webhooks')).text).not.toContain(secret ?? 'x');
  const refused = await postForm(
    browser,
    '/admin/webhooks',
    { url: 'nope', events: 'evaluation.submitted' },
    '/admin/webhooks',
  );
  expect(refused.status).toBe(422);
  expect(refused.text).toContain('id="url-error"');
});

describe('SSRF: without WEBHOOK_ALLOW_PRIVATE', () => {
  let strict: TestContext;
  let strictAdmin: Api;
  beforeEach(async () => {
    strict = makeTestApp();
    const strictOrg = await buildOrg(strict.deps);
    strictAdmin = api(strict.app, await tokenFor(strict.deps, strictOrg.admin));
  });
  afterEach(async () => strict.close());

  test.each([
    ['loopback', () => receiver.url()],
    ['a name resolving to 127.0.0.1', () => receiver.url('localhost')],
    ['the metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
    ['a private address', () => 'http://10.1.2.3/hooks'],
    ['IPv6 loopback', () => 'http://[::1]:8080/hooks'],
    ['an IPv4-mapped private address', () => 'http://[::ffff:192.168.1.1]/hooks'],
  ])('%s is refused when added (422)', async (_name, url) => {
    const res = await strictAdmin.post('/api/v1/webhooks', { url: url(), events: ['evaluation.submitted'] });
    expect(res.status).toBe(422);
    expect(res.body.error.details[0].path).toBe('url');
  });

  test('a target that resolves to loopback at send time is refused then, and nothing reaches it', async () => {
    // As if its DNS changed after it was saved: the row is written directly.
    const webhookId = await inTransaction(strict.deps.db, async (trx) => {
      const row = await trx
        .insertInto('webhooks')
        .values({
          url: receiver.url('localhost'),
          events: '["evaluation.submitted"]',
          secret: 'whsec_AAAA',
          created_at: '2026-11-23T09:00:00.000Z',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await queueWebhookEvent(trx, '2026-11-23T09:00:00.000Z', 'evaluation.submitted', { evaluation_id: 1 });
      return row.id;
    });
    await deliverDue(strict.deps);
    expect(receiver.requests).toHaveLength(0);
    const [row] = await strict.deps.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('webhook_id', '=', webhookId)
      .execute();
    expect(row).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: expect.stringMatching(/loopback, private/),
    });
  });
});
