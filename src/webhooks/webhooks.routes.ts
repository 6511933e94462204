import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { Validation } from '../lib/errors';
import { idParam } from '../lib/forms';
import { actionFlashed, clientIp, flash, withDeps } from '../lib/http';
import { actorOf, requireRole } from '../policy';
import { WEBHOOK_EVENTS } from './webhooks.schemas';
import { listDeliveries, listWebhooks } from './webhooks.queries';
import {
  createWebhook,
  deleteWebhook,
  deliveryJson,
  redeliver,
  setActive,
  webhookJson,
  webhookOr404,
} from './webhooks.service';

/** The form's checkboxes arrive as one string or several. */
function formEvents(value: unknown): unknown {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

async function renderList(deps: AppDeps, res: Response, status: number, values: object, errors: object) {
  const webhooks = (await listWebhooks(deps.db)).map(webhookJson);
  res.status(status).render('webhooks/list', { title: 'Webhooks', webhooks, events: WEBHOOK_EVENTS, values, errors });
}

async function listPage(deps: AppDeps, _req: Request, res: Response) {
  await renderList(deps, res, 200, { events: [] }, {});
}

async function add(deps: AppDeps, req: Request, res: Response) {
  const body = req.body as Record<string, unknown>;
  const values = { url: body.url, description: body.description, events: formEvents(body.events) };
  try {
    const { webhook, secret } = await createWebhook(deps, actorOf(req), values, clientIp(req));
    // Shown on this answer only (never stored in the session or a flash): the secret is not kept readable.
    res.status(201).render('webhooks/created', { title: 'Webhook added', webhook: webhookJson(webhook), secret });
  } catch (err) {
    if (!(err instanceof Validation)) throw err;
    await renderList(deps, res, 422, values, err.byField());
  }
}

async function showPage(deps: AppDeps, req: Request, res: Response) {
  const webhook = await webhookOr404(deps, idParam(req, 'webhook'));
  const deliveries = (await listDeliveries(deps.db, webhook.id, 100)).map(deliveryJson);
  res.render('webhooks/show', { title: 'Webhook', webhook: webhookJson(webhook), deliveries });
}

async function toggle(deps: AppDeps, req: Request, res: Response) {
  const id = idParam(req, 'webhook');
  const active = (req.body as Record<string, unknown>).active === '1';
  await setActive(deps, actorOf(req), id, { active }, clientIp(req));
  flash(req, 'success', active ? 'Webhook turned on.' : 'Webhook turned off: nothing is sent to it.');
  res.redirect(303, `/admin/webhooks/${id}`);
}

async function remove(deps: AppDeps, req: Request, res: Response) {
  await deleteWebhook(deps, actorOf(req), idParam(req, 'webhook'), clientIp(req));
  flash(req, 'success', 'Webhook deleted.');
  res.redirect(303, '/admin/webhooks');
}

async function again(deps: AppDeps, req: Request, res: Response) {
  const id = idParam(req, 'webhook');
  const deliveryId = idParam(req, 'delivery', 'delivery_id');
  await actionFlashed(req, res, `/admin/webhooks/${id}`, 'Queued to be sent again.', () =>
    redeliver(deps, id, deliveryId),
  );
}

/** Admin pages: the webhooks, adding one, and each one's delivery log with a redeliver button. */
export function webhookRoutes(deps: AppDeps): Router {
  const router = Router();
  const handle = withDeps(deps);
  router.use('/admin/webhooks', requireRole('admin'));
  router.get('/admin/webhooks', handle(listPage));
  router.post('/admin/webhooks', handle(add));
  router.get('/admin/webhooks/:id', handle(showPage));
  router.post('/admin/webhooks/:id/active', handle(toggle));
  router.post('/admin/webhooks/:id/delete', handle(remove));
  router.post('/admin/webhooks/:id/deliveries/:delivery_id/redeliver', handle(again));
  return router;
}
