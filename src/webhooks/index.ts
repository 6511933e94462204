// The webhooks room's door: everything other rooms may use of it. Import "../webhooks", never its files.
export { deliverDue, RETRY_DELAYS_S } from './delivery';
export { webhooksApiRoutes } from './webhooks.api';
export { webhookPaths } from './webhooks.openapi';
export { webhookRoutes } from './webhooks.routes';
export { WEBHOOK_EVENTS } from './webhooks.schemas';
export type { WebhookEvent } from './webhooks.schemas';
export { queueWebhookEvent, queueWebhookEvents } from './webhooks.service';
