import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

// Webhooks and their durable delivery queue (which is also the delivery log).

export interface WebhooksTable {
  id: Generated<number>;
  url: string;
  /** JSON array of event types. */
  events: string;
  description: ColumnType<string, string | undefined, string>;
  /** whsec_… (base64 key); kept to sign deliveries, shown once at creation. */
  secret: string;
  active: ColumnType<number, number | undefined, number>;
  disabled_reason: string | null;
  created_by: number | null;
  created_at: string;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  webhook_id: number;
  /** The webhook-id header: the same on every attempt. */
  message_id: string;
  event_type: string;
  body: string;
  status: ColumnType<WebhookDeliveryStatus, WebhookDeliveryStatus | undefined, WebhookDeliveryStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  response_code: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

export type Webhook = Selectable<WebhooksTable>;
export type NewWebhook = Insertable<WebhooksTable>;
export type WebhookDelivery = Selectable<WebhookDeliveriesTable>;
export type NewWebhookDelivery = Insertable<WebhookDeliveriesTable>;
