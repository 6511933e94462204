import { Router } from 'express';
import type { AppDeps } from '../deps';
import { parseIdParam } from '../lib/validation';
import { requireRole } from '../policy';
import { listAudit, listAuditActions } from './audit.queries';

export function auditRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/admin/audit', requireRole('admin'), async (req, res) => {
    const actions = await listAuditActions(deps.db);
    const action = typeof req.query.action === 'string' && actions.includes(req.query.action) ? req.query.action : '';
    const before = parseIdParam(req.query.before) ?? undefined;
    const page = await listAudit(deps.db, { action: action || undefined, beforeId: before, limit: 100 });
    res.render('audit/index', { title: 'Audit log', ...page, actions, action });
  });
  return router;
}
