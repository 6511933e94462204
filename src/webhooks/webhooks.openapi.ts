// The webhook routes' part of the OpenAPI document (src/api/openapi.ts assembles it), from the zod schemas.

import { errors, idPathParam, jsonBody, jsonResponse, pageOf, queryParam } from '../lib/openapi';
import {
  createWebhookSchema,
  deliveryResponseSchema,
  patchWebhookSchema,
  webhookCreatedSchema,
  webhookResponseSchema,
} from './webhooks.schemas';

const deliveryIdParam = { ...idPathParam, name: 'delivery_id' };

export const webhookPaths = {
  '/api/v1/webhooks': {
    post: {
      summary: 'Add a webhook (admin); the answer carries its signing secret, shown only once',
      description:
        'Deliveries follow Standard Webhooks: POST with webhook-id, webhook-timestamp and webhook-signature ' +
        '(v1, HMAC-SHA256 over "id.timestamp.body" keyed by the base64-decoded secret after "whsec_"). A target on ' +
        'a loopback, private, link-local or metadata address is refused (422) unless WEBHOOK_ALLOW_PRIVATE=true.',
      requestBody: jsonBody(createWebhookSchema),
      responses: { 201: jsonResponse('Created', webhookCreatedSchema), ...errors(403, 415, 422) },
    },
    get: {
      summary: 'The webhooks (admin), without their secrets',
      responses: { 200: jsonResponse('The webhooks', pageOf(webhookResponseSchema)), ...errors(403) },
    },
  },
  '/api/v1/webhooks/{id}': {
    get: {
      summary: 'A webhook (admin)',
      parameters: [idPathParam],
      responses: { 200: jsonResponse('The webhook', webhookResponseSchema), ...errors(403, 404) },
    },
    patch: {
      summary: 'Turn a webhook off or on (admin)',
      parameters: [idPathParam],
      requestBody: jsonBody(patchWebhookSchema),
      responses: { 200: jsonResponse('The webhook', webhookResponseSchema), ...errors(403, 404, 415, 422) },
    },
    delete: {
      summary: 'Delete a webhook and its delivery log (admin)',
      parameters: [idPathParam],
      responses: { 204: { description: 'Deleted' }, ...errors(403, 404) },
    },
  },
  '/api/v1/webhooks/{id}/deliveries': {
    get: {
      summary: "A webhook's delivery log, newest first (admin)",
      parameters: [
        idPathParam,
        queryParam('limit', { type: 'integer', minimum: 1, maximum: 500 }),
        queryParam('cursor', { type: 'string' }),
      ],
      responses: { 200: jsonResponse('Deliveries', pageOf(deliveryResponseSchema)), ...errors(403, 404, 422) },
    },
  },
  '/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver': {
    post: {
      summary: 'Send a delivery again, with the same webhook-id (admin); 409 while the webhook is off',
      parameters: [idPathParam, deliveryIdParam],
      responses: { 201: jsonResponse('The new delivery', deliveryResponseSchema), ...errors(403, 404, 409) },
    },
  },
};
