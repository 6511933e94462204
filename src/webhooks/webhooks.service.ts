import { recordChange } from '../audit';
import type { Webhook, WebhookDelivery } from '../db/schema';
import { inTransaction, type Executor } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, NotFound, Validation } from '../lib/errors';
import { parseInput } from '../lib/validation';
import type { Actor } from '../policy';
import { newMessageId, newSecret } from './send';
import { resolveTarget, TargetRefused } from './ssrf';
import { createWebhookSchema, patchWebhookSchema, type WebhookEvent } from './webhooks.schemas';
import {
  activeWebhooks,
  deleteWebhookRow,
  findDelivery,
  findWebhook,
  insertDeliveries,
  insertDelivery,
  insertWebhook,
  setWebhookActive,
} from './webhooks.queries';

export function webhookJson(webhook: Webhook) {
  return {
    id: webhook.id,
    url: webhook.url,
    events: JSON.parse(webhook.events) as WebhookEvent[],
    description: webhook.description,
    active: webhook.active === 1,
    disabled_reason: webhook.disabled_reason,
    created_at: webhook.created_at,
  };
}

export function deliveryJson(delivery: WebhookDelivery) {
  return {
    id: delivery.id,
    message_id: delivery.message_id,
    event_type: delivery.event_type,
    status: delivery.status,
    attempts: delivery.attempts,
    response_code: delivery.response_code,
    last_error: delivery.last_error,
    last_attempt_at: delivery.last_attempt_at,
    next_attempt_at: delivery.status === 'pending' ? delivery.next_attempt_at : null,
    delivered_at: delivery.delivered_at,
    created_at: delivery.created_at,
  };
}

/** Adds a webhook; its secret is in this answer only. A target on a private address is refused already here. */
export async function createWebhook(deps: AppDeps, actor: Actor, raw: unknown, ip?: string) {
  const input = parseInput(createWebhookSchema, raw);
  try {
    await resolveTarget(new URL(input.url).hostname, deps.config.webhookAllowPrivate);
  } catch (err) {
    if (!(err instanceof TargetRefused)) throw err;
    throw new Validation([{ path: 'url', message: err.message }], err.message);
  }
  const now = isoNow(deps.clock);
  const secret = newSecret();
  const id = await inTransaction(deps.db, async (trx) => {
    const webhookId = await insertWebhook(trx, {
      url: input.url,
      events: JSON.stringify(input.events),
      description: input.description,
      secret,
      created_by: actor.id,
      created_at: now,
    });
    // The audit line names the webhook, never its URL's query or its secret.
    await recordChange(trx, now, { actorId: actor.id, ip }, 'webhook.created', ['webhook', webhookId], {
      host: new URL(input.url).host,
      events: input.events,
    });
    return webhookId;
  });
  return { webhook: await webhookOr404(deps, id), secret };
}

export async function webhookOr404(deps: AppDeps, id: number): Promise<Webhook> {
  const webhook = await findWebhook(deps.db, id);
  if (!webhook) throw new NotFound('No such webhook.');
  return webhook;
}

export async function setActive(deps: AppDeps, actor: Actor, id: number, raw: unknown, ip?: string) {
  const { active } = parseInput(patchWebhookSchema, raw);
  await webhookOr404(deps, id);
  const now = isoNow(deps.clock);
  await inTransaction(deps.db, async (trx) => {
    await setWebhookActive(trx, id, active, active ? null : 'Turned off by an admin.');
    const action = active ? 'webhook.enabled' : 'webhook.disabled';
    await recordChange(trx, now, { actorId: actor.id, ip }, action, ['webhook', id]);
  });
  return webhookOr404(deps, id);
}

export async function deleteWebhook(deps: AppDeps, actor: Actor, id: number, ip?: string): Promise<void> {
  await webhookOr404(deps, id);
  const now = isoNow(deps.clock);
  await inTransaction(deps.db, async (trx) => {
    await deleteWebhookRow(trx, id);
    await recordChange(trx, now, { actorId: actor.id, ip }, 'webhook.deleted', ['webhook', id]);
  });
}

/** Sends a delivery's message again, as a new delivery with the same webhook-id (receivers may dedupe on it). */
export async function redeliver(deps: AppDeps, webhookId: number, deliveryId: number) {
  const webhook = await webhookOr404(deps, webhookId);
  const delivery = await findDelivery(deps.db, webhookId, deliveryId);
  if (!delivery) throw new NotFound('No such delivery.');
  if (webhook.active !== 1)
    throw new Conflict('The webhook is turned off; turn it on to deliver again.', 'webhook_disabled');
  const now = isoNow(deps.clock);
  const id = await inTransaction(deps.db, (trx) =>
    insertDelivery(trx, {
      webhook_id: webhookId,
      message_id: delivery.message_id,
      event_type: delivery.event_type,
      body: delivery.body,
      next_attempt_at: now,
      created_at: now,
    }),
  );
  const created = await findDelivery(deps.db, webhookId, id);
  if (!created) throw new Error('The delivery just queued could not be read back.');
  return created;
}

type EventData = Record<string, number | string | boolean | null>;

/**
 * Queues an event for every active webhook that takes it, in the caller's transaction: a change that rolls
 * back queues nothing, and the queue survives a restart. `data` carries ids and figures only.
 */
export async function queueWebhookEvent(
  trx: Executor,
  now: string,
  type: WebhookEvent,
  data: EventData,
): Promise<void> {
  await queueWebhookEvents(trx, now, [{ type, data }]);
}

/**
 * Several events of one change (a scorecard submitted and released), queued in order as queueWebhookEvent would
 * queue them one after the other, with the active webhooks read once and the deliveries written in one statement.
 */
export async function queueWebhookEvents(
  trx: Executor,
  now: string,
  events: ReadonlyArray<{ type: WebhookEvent; data: EventData }>,
): Promise<void> {
  const webhooks = (await activeWebhooks(trx)).map((w) => ({ id: w.id, events: JSON.parse(w.events) as string[] }));
  const deliveries = events.flatMap(({ type, data }) => {
    const body = JSON.stringify({ type, timestamp: now, data });
    return webhooks
      .filter((w) => w.events.includes(type))
      .map((webhook) => ({
        webhook_id: webhook.id,
        message_id: newMessageId(),
        event_type: type,
        body,
        next_attempt_at: now,
        created_at: now,
      }));
  });
  await insertDeliveries(trx, deliveries);
}
