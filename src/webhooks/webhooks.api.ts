import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { Validation } from '../lib/errors';
import { idParam } from '../lib/forms';
import { clientIp } from '../lib/http';
import { actorOf, requireRole } from '../policy';
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

function pageParams(req: Request): { limit: number; before?: number } {
  const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
  const cursor = req.query.cursor === undefined ? undefined : Number(req.query.cursor);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    throw new Validation([{ path: 'limit', message: 'limit is a whole number from 1 to 500.' }]);
  }
  if (cursor !== undefined && (!Number.isInteger(cursor) || cursor < 1)) {
    throw new Validation([{ path: 'cursor', message: 'cursor is the next_cursor of the page before.' }]);
  }
  return { limit, before: cursor };
}

/** /api/v1/webhooks (admin): add, list, turn off or on, delete; each webhook's delivery log and redelivery. */
export function webhooksApiRoutes(deps: AppDeps): Router {
  async function create(req: Request, res: Response) {
    const { webhook, secret } = await createWebhook(deps, actorOf(req), req.body, clientIp(req));
    res.status(201).json({ ...webhookJson(webhook), secret });
  }

  async function list(_req: Request, res: Response) {
    res.json({ items: (await listWebhooks(deps.db)).map(webhookJson), next_cursor: null });
  }

  async function show(req: Request, res: Response) {
    res.json(webhookJson(await webhookOr404(deps, idParam(req, 'webhook'))));
  }

  async function patch(req: Request, res: Response) {
    const webhook = await setActive(deps, actorOf(req), idParam(req, 'webhook'), req.body, clientIp(req));
    res.json(webhookJson(webhook));
  }

  async function remove(req: Request, res: Response) {
    await deleteWebhook(deps, actorOf(req), idParam(req, 'webhook'), clientIp(req));
    res.status(204).end();
  }

  async function deliveries(req: Request, res: Response) {
    const webhook = await webhookOr404(deps, idParam(req, 'webhook'));
    const { limit, before } = pageParams(req);
    const rows = await listDeliveries(deps.db, webhook.id, limit + 1, before);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    res.json({ items: page.map(deliveryJson), next_cursor: rows.length > limit && last ? String(last.id) : null });
  }

  async function again(req: Request, res: Response) {
    const delivery = await redeliver(deps, idParam(req, 'webhook'), idParam(req, 'delivery', 'delivery_id'));
    res.status(201).json(deliveryJson(delivery));
  }

  const router = Router();
  router.use(requireRole('admin'));
  router.post('/', create);
  router.get('/', list);
  router.get('/:id', show);
  router.patch('/:id', patch);
  router.delete('/:id', remove);
  router.get('/:id/deliveries', deliveries);
  router.post('/:id/deliveries/:delivery_id/redeliver', again);
  return router;
}
