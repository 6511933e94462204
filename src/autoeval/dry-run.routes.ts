import { Router, type RequestHandler } from 'express';
import type { AppDeps } from '../deps';
import { NotFound, Validation } from '../lib/errors';
import { refusedAsJson } from '../lib/http';
import { actorOf, maySeeSuggestions, requireSignedIn, teamScope } from '../policy';
import { dryRun } from './dry-run';

// GET /autoqa/dry-run?rule=<JSON>: the builder's script asks what a rule would answer on the last 50 analysed
// calls the person sees. Supervisors, managers and admins; a CSR finds nothing here (404, silent monitoring).

function dryRunJson(deps: AppDeps): RequestHandler {
  return async (req, res) => {
    const actor = actorOf(req);
    if (!maySeeSuggestions(actor)) throw new NotFound('Page not found.');
    const scope = await teamScope(deps.db, actor);
    res.setHeader('Cache-Control', 'no-store');
    try {
      res.json(await dryRun(deps.db, req.query.rule, scope.all ? 'all' : scope.teamIds));
    } catch (err) {
      // The builder's script reads JSON: a rule that is not one is answered like the API's validation errors.
      if (!(err instanceof Validation)) throw err;
      refusedAsJson(res, err, 'Not a rule.');
    }
  };
}

export function dryRunRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/autoqa/dry-run', requireSignedIn, dryRunJson(deps));
  return router;
}
