import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { idParam } from '../lib/forms';
import { parseInput } from '../lib/validation';
import { actorOf, suggestionsCallOr404 } from '../policy';
import { suggestionsQuerySchema } from './suggestions.schemas';
import { suggestionRubricOr404, suggestionsFor } from './suggestions';

/** /api/v1/calls/:id/suggestions: a rubric's automatic answers for a call (never for a CSR: 404). */
export function suggestionsApiRoutes(deps: AppDeps): Router {
  async function show(req: Request, res: Response) {
    const call = await suggestionsCallOr404(deps.db, actorOf(req), idParam(req, 'call'));
    const query = parseInput(suggestionsQuerySchema, req.query);
    const rubric = await suggestionRubricOr404(deps.db, query.rubric_id);
    res.json(await suggestionsFor(deps.db, call.id, rubric));
  }

  const router = Router();
  router.get('/:id/suggestions', show);
  return router;
}
