// The five events beside the scorecard ones: dispute.opened/resolved, coaching_task.created/completed and
// call.analysed. Each is queued in the transaction of its change, delivered signed (checked with the
// standardwebhooks library) to a receiver on loopback, and carries ids and figures only. A change that rolls
// back after its event was queued (a second webhook's queue row refused by a trigger) sends nothing.
import { Webhook as Verifier } from 'standardwebhooks';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';
import { deliverDue } from '../../src/webhooks';
import { callWav, pushRecordedCall, STANDARD_CALL } from '../analysis/jobs-fixtures';
import { makeTestApp, sqliteOf, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { api, publishedRubric, tokenFor, workedExampleRubric, type Api } from '../helpers/scoring';
import { failingAnswers, itemsByName, passingAnswers, scoredCall } from '../disputes/fixtures';
import { Receiver } from './receiver';

jest.setTimeout(60_000);

let ctx: TestContext;
let org: Org;
let admin: Api;
let sup: Api;
let csr: Api;
let rubric: FullRubric;
let receiver: Receiver;

const PRIVATE_TEXT = 'Jane Q. Caller said her card number';

beforeEach(async () => {
  ctx = makeTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true' });
  // Signatures carry the app clock's time; the verifier compares it with the real one.
  ctx.clock.advance(Date.now() - ctx.clock.now().getTime());
  org = await buildOrg(ctx.deps);
  admin = api(ctx.app, await tokenFor(ctx.deps, org.admin));
  sup = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  csr = api(ctx.app, await tokenFor(ctx.deps, org.csrA));
  rubric = await publishedRubric(ctx.deps, workedExampleRubric());
  receiver = new Receiver();
  await receiver.start();
});
afterEach(async () => {
  await receiver.stop();
  await ctx.close();
});

async function addWebhook(events: string[]): Promise<{ id: number; secret: string }> {
  const res = await admin.post('/api/v1/webhooks', { url: receiver.url(), events, description: 'BI' });
  expect(res.status).toBe(201);
  return res.body as { id: number; secret: string };
}

/** Delivers what is due and returns the verified payloads of the given type, in order. */
async function delivered(secret: string, type: string): Promise<Array<Record<string, unknown>>> {
  await deliverDue(ctx.deps);
  const verifier = new Verifier(secret);
  return receiver.requests
    .map((r) => verifier.verify(r.body, r.headers as Record<string, string>) as { type: string; data: object })
    .filter((p) => p.type === type)
    .map((p) => p.data as Record<string, unknown>);
}

const deliveryCount = async () => (await ctx.deps.db.selectFrom('webhook_deliveries').selectAll().execute()).length;

/** A second webhook whose queue rows the database refuses: the change queuing the event must roll back. */
async function breakSecondWebhook(events: string[]): Promise<() => void> {
  await addWebhook(events);
  const second = await addWebhook(events);
  const sqlite = sqliteOf(ctx.database);
  sqlite.exec(`CREATE TRIGGER refuse_second BEFORE INSERT ON webhook_deliveries WHEN NEW.webhook_id = ${second.id}
    BEGIN SELECT RAISE(ABORT, 'queue refused'); END`);
  return () => sqlite.exec('DROP TRIGGER refuse_second');
}

async function openDispute(evaluationId: number) {
  const { name, accurate } = itemsByName(rubric);
  return csr.post(`/api/v1/evaluations/${evaluationId}/disputes`, {
    item_ids: [name.id, accurate.id],
    reason: PRIVATE_TEXT,
  });
}

describe('dispute events', () => {
  test('opened and resolved are delivered signed, with ids and figures and never the reasons', async () => {
    const { secret } = await addWebhook(['dispute.opened', 'dispute.resolved']);
    const evaluation = await scoredCall(ctx, org, sup, rubric, { answers: passingAnswers(rubric) });
    const opened = await openDispute(evaluation.id);
    expect(opened.status).toBe(201);
    const disputeId = (opened.body as { id: number }).id;
    expect(await delivered(secret, 'dispute.opened')).toEqual([
      {
        dispute_id: disputeId,
        evaluation_id: evaluation.id,
        agent_id: org.csrA.id,
        assignee_id: expect.any(Number),
        item_count: 2,
        score_before: evaluation.score,
      },
    ]);
    const upheld = await admin.post(`/api/v1/disputes/${disputeId}/uphold`, { reason: PRIVATE_TEXT });
    expect(upheld.status).toBe(200);
    expect(await delivered(secret, 'dispute.resolved')).toEqual([
      {
        dispute_id: disputeId,
        evaluation_id: evaluation.id,
        agent_id: org.csrA.id,
        outcome: 'upheld',
        score_before: evaluation.score,
        score_after: evaluation.score,
      },
    ]);
    expect(receiver.requests.map((r) => r.body).join('')).not.toContain('Jane');
  });

  test('a dispute whose event cannot be queued is not opened, and a decision that rolls back sends nothing', async () => {
    const evaluation = await scoredCall(ctx, org, sup, rubric, { answers: passingAnswers(rubric) });
    const opened = await openDispute(evaluation.id);
    expect(opened.status).toBe(201);
    const disputeId = (opened.body as { id: number }).id;
    const repair = await breakSecondWebhook(['dispute.opened', 'dispute.resolved']);
    const other = await scoredCall(ctx, org, sup, rubric, { answers: passingAnswers(rubric) });
    expect((await openDispute(other.id)).status).toBe(500);
    expect((await admin.post(`/api/v1/disputes/${disputeId}/uphold`, { reason: 'Stands.' })).status).toBe(500);
    expect(await deliveryCount()).toBe(0);
    expect(await ctx.deps.db.selectFrom('disputes').select(['id', 'status']).execute()).toEqual([
      { id: disputeId, status: 'open' },
    ]);
    repair();
    expect((await admin.post(`/api/v1/disputes/${disputeId}/uphold`, { reason: 'Stands.' })).status).toBe(200);
    expect(await deliveryCount()).toBe(2);
  });
});

describe('coaching task events', () => {
  test('the task of a failing scorecard announces created; completing announces completed, no notes', async () => {
    const { secret } = await addWebhook(['coaching_task.created', 'coaching_task.completed']);
    const evaluation = await scoredCall(ctx, org, sup, rubric, { answers: failingAnswers(rubric) });
    const task = await ctx.deps.db
      .selectFrom('coaching_tasks')
      .selectAll()
      .where('evaluation_id', '=', evaluation.id)
      .executeTakeFirstOrThrow();
    const created = await delivered(secret, 'coaching_task.created');
    expect(created).toEqual([
      {
        coaching_task_id: task.id,
        agent_id: org.csrA.id,
        assignee_id: org.supervisorA.id,
        team_id: org.teamA,
        evaluation_id: evaluation.id,
        due_at: task.due_at,
      },
    ]);
    const done = await sup.patch(`/api/v1/coaching-tasks/${task.id}`, { action: 'complete', notes: PRIVATE_TEXT });
    expect(done.status).toBe(200);
    const completed = await delivered(secret, 'coaching_task.completed');
    expect(completed).toEqual([
      expect.objectContaining({ coaching_task_id: task.id, completed_at: expect.any(String) }),
    ]);
    expect(receiver.requests.map((r) => r.body).join('')).not.toContain('Jane');
  });

  test('a completion that rolls back leaves the task open and sends nothing', async () => {
    const evaluation = await scoredCall(ctx, org, sup, rubric, { answers: failingAnswers(rubric) });
    const repair = await breakSecondWebhook(['coaching_task.created', 'coaching_task.completed']);
    const task = await ctx.deps.db
      .selectFrom('coaching_tasks')
      .selectAll()
      .where('evaluation_id', '=', evaluation.id)
      .executeTakeFirstOrThrow();
    const done = await sup.patch(`/api/v1/coaching-tasks/${task.id}`, { action: 'complete', notes: 'Covered.' });
    expect(done.status).toBe(500);
    // A failing scorecard whose task's event cannot be queued is not submitted either.
    const before = (await ctx.deps.db.selectFrom('evaluations').select('id').execute()).length;
    await expect(scoredCall(ctx, org, sup, rubric, { answers: failingAnswers(rubric) })).rejects.toThrow(/500/);
    expect((await ctx.deps.db.selectFrom('evaluations').select('id').execute()).length).toBe(before);
    expect(await deliveryCount()).toBe(0);
    const row = await ctx.deps.db.selectFrom('coaching_tasks').selectAll().where('id', '=', task.id).executeTakeFirst();
    expect(row?.status).toBe('open');
    repair();
    expect((await sup.patch(`/api/v1/coaching-tasks/${task.id}`, { action: 'complete', notes: 'ok' })).status).toBe(
      200,
    );
    expect(await deliveryCount()).toBe(2);
  });
});

describe('call.analysed', () => {
  test('an analysed recording is announced with its figures, no segments or transcript', async () => {
    const { secret } = await addWebhook(['call.analysed']);
    const token = await tokenFor(ctx.deps, org.supervisorA);
    const callId = await pushRecordedCall(ctx.app, token, org.csrA.username, callWav(STANDARD_CALL));
    expect(await deliveryCount()).toBe(0);
    expect(await ctx.deps.analysis.drain(ctx.deps)).toBe(1);
    const [data, ...more] = await delivered(secret, 'call.analysed');
    expect(more).toHaveLength(0);
    expect(data).toMatchObject({ call_id: callId, channels: 2, overtalk_count: 1 });
    expect(data?.duration_s).toBeCloseTo(12, 1);
    expect(data?.dead_air_total_s).toBeGreaterThan(1.5);
    expect(Object.keys(data ?? {})).not.toContain('segments');
  });

  test('an analysis whose event cannot be queued is not stored as done and sends nothing', async () => {
    await breakSecondWebhook(['call.analysed']);
    const token = await tokenFor(ctx.deps, org.supervisorA);
    const callId = await pushRecordedCall(ctx.app, token, org.csrA.username, callWav(STANDARD_CALL));
    await ctx.deps.analysis.drain(ctx.deps);
    const row = await ctx.deps.db
      .selectFrom('call_analyses')
      .selectAll()
      .where('call_id', '=', callId)
      .executeTakeFirstOrThrow();
    expect(row.status).not.toBe('done');
    expect(row.analysed_at).toBeNull();
    expect(await deliveryCount()).toBe(0);
  });
});
