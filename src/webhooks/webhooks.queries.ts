import type { NewWebhook, NewWebhookDelivery, Webhook, WebhookDelivery } from '../db/schema';
import { insertRows } from '../db/fragments';
import type { Executor } from '../db/transaction';

export async function insertWebhook(db: Executor, values: NewWebhook): Promise<number> {
  const row = await db.insertInto('webhooks').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function listWebhooks(db: Executor): Promise<Webhook[]> {
  return db.selectFrom('webhooks').selectAll().orderBy('id').execute();
}

export async function findWebhook(db: Executor, id: number): Promise<Webhook | undefined> {
  return db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function activeWebhooks(db: Executor): Promise<Webhook[]> {
  return db.selectFrom('webhooks').selectAll().where('active', '=', 1).execute();
}

export async function setWebhookActive(db: Executor, id: number, active: boolean, reason: string | null) {
  await db
    .updateTable('webhooks')
    .set({ active: active ? 1 : 0, disabled_reason: active ? null : reason })
    .where('id', '=', id)
    .execute();
}

export async function deleteWebhookRow(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('webhook_deliveries').where('webhook_id', '=', id).execute();
  await db.deleteFrom('webhooks').where('id', '=', id).execute();
}

export async function insertDelivery(db: Executor, values: NewWebhookDelivery): Promise<number> {
  const row = await db.insertInto('webhook_deliveries').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Queues deliveries in as few statements as it can (one for a submit's events to every webhook). */
export async function insertDeliveries(db: Executor, values: NewWebhookDelivery[]): Promise<void> {
  await insertRows(db, 'webhook_deliveries', values);
}

export async function findDelivery(db: Executor, webhookId: number, id: number): Promise<WebhookDelivery | undefined> {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('webhook_id', '=', webhookId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The newest deliveries of a webhook first, after the cursor (a delivery id). */
export async function listDeliveries(
  db: Executor,
  webhookId: number,
  limit: number,
  beforeId?: number,
): Promise<WebhookDelivery[]> {
  let query = db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('webhook_id', '=', webhookId)
    .orderBy('id', 'desc')
    .limit(limit);
  if (beforeId !== undefined) query = query.where('id', '<', beforeId);
  return query.execute();
}

/** Pending deliveries of active webhooks that are due, oldest first, with what sending them needs. */
export async function dueDeliveries(db: Executor, now: string, limit: number) {
  return db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
    .select(['d.id', 'd.webhook_id', 'd.message_id', 'd.body', 'd.attempts', 'd.next_attempt_at', 'w.url', 'w.secret'])
    .where('d.status', '=', 'pending')
    .where('d.next_attempt_at', '<=', now)
    .where('w.active', '=', 1)
    .orderBy('d.next_attempt_at')
    .orderBy('d.id')
    .limit(limit)
    .execute();
}

/** Takes a due delivery for this sender (pushing its next attempt out as a lease); false if another took it. */
export async function claimDelivery(db: Executor, id: number, seenNext: string, leaseUntil: string): Promise<boolean> {
  const result = await db
    .updateTable('webhook_deliveries')
    .set({ next_attempt_at: leaseUntil })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '=', seenNext)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function recordAttempt(
  db: Executor,
  id: number,
  values: Pick<
    WebhookDelivery,
    'status' | 'attempts' | 'next_attempt_at' | 'last_attempt_at' | 'response_code' | 'last_error' | 'delivered_at'
  >,
): Promise<void> {
  await db.updateTable('webhook_deliveries').set(values).where('id', '=', id).execute();
}
