import { Router, type RequestHandler } from 'express';
import type { AppDeps } from '../deps';
import { idParam } from '../lib/forms';
import { actorOf, requireRole } from '../policy';
import { csrReview } from './review';

/** A CSR's performance review for a period: printable, for supervisors and managers to hand over. */
export function csrReviewRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/reports/csr/:id', requireRole('admin', 'manager', 'supervisor'), reviewPage(deps));
  return router;
}

function reviewPage(deps: AppDeps): RequestHandler {
  return async (req, res) => {
    const id = idParam(req, 'CSR');
    res.render('reports/csr', await csrReview(deps.db, actorOf(req), id, req.query, deps.clock.now()));
  };
}
