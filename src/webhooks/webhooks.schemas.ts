import { z } from 'zod';
import { timestamp } from '../lib/openapi';

export const WEBHOOK_EVENTS = [
  'evaluation.submitted',
  'evaluation.released',
  'evaluation.acknowledged',
  'dispute.opened',
  'dispute.resolved',
  'coaching_task.created',
  'coaching_task.completed',
  'call.analysed',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

const webhookUrl = z
  .string({ error: 'Give the URL to deliver to.' })
  .trim()
  .max(2000, 'The URL is at most 2,000 characters.')
  .superRefine((value, ctx) => {
    const url = URL.parse(value);
    let message: string | null = null;
    if (!url) message = 'Give a full URL, e.g. https://example.com/hooks/callscore.';
    else if (!['http:', 'https:'].includes(url.protocol)) message = 'The URL starts with https:// or http://.';
    else if (url.username || url.password) {
      message = 'Put no user name or password in the URL: the signature proves the sender.';
    }
    if (message) ctx.addIssue({ code: 'custom', message });
  });

export const createWebhookSchema = z.object({
  url: webhookUrl,
  events: z
    .array(z.enum(WEBHOOK_EVENTS, { error: `Events are: ${WEBHOOK_EVENTS.join(', ')}.` }), {
      error: 'Choose at least one event.',
    })
    .min(1, 'Choose at least one event.')
    .transform((events) => [...new Set(events)]),
  description: z.string().trim().max(200, 'The description is at most 200 characters.').optional().default(''),
});
export type CreateWebhookInput = z.output<typeof createWebhookSchema>;

export const patchWebhookSchema = z.strictObject({
  active: z.boolean({ error: 'active is true or false.' }),
});

const id = z.number().int().positive();

export const webhookResponseSchema = z.object({
  id,
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  description: z.string(),
  active: z.boolean(),
  disabled_reason: z.string().nullable(),
  created_at: timestamp,
});

export const webhookCreatedSchema = webhookResponseSchema.extend({
  secret: z.string().describe('whsec_… signing secret, shown only in this answer'),
});

export const deliveryResponseSchema = z.object({
  id,
  message_id: z.string(),
  event_type: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int().min(0),
  response_code: z.number().int().nullable(),
  last_error: z.string().nullable(),
  last_attempt_at: timestamp.nullable(),
  next_attempt_at: timestamp.nullable(),
  delivered_at: timestamp.nullable(),
  created_at: timestamp,
});
