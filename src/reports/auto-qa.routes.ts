import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { NotFound } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { actorOf, type Actor } from '../policy';
import { loadRubric, type FullRubric } from '../rubrics';
import { rubricAccuracy, rubricDisagreements } from './auto-qa';
import { disagreementsQuerySchema } from './auto-qa.schemas';
import type { Executor } from '../db/transaction';

// The disagreements between people and a rubric's rules, newest first, each opening the call at the evidence.
// Under /reports, so only staff reach it (a CSR gets the reports' 403).

export function autoQaRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/reports/auto-qa/disagreements', async (req: Request, res: Response) => {
    const { rubric_id: rubricId } = parseInput(disagreementsQuerySchema, req.query);
    const rubric = await loadRubric(deps.db, rubricId);
    if (!rubric) throw new NotFound('No such rubric.');
    const disagreements = await rubricDisagreements(deps.db, actorOf(req), rubric);
    res.render('reports/auto-qa-disagreements', { title: `Disagreements: ${rubric.name}`, rubric, disagreements });
  });
  return router;
}

/** The rubric page's accuracy section (handed to the rubrics room, which cannot import this one). */
export async function rubricAccuracySection(db: Executor, actor: Actor, rubric: FullRubric) {
  return rubricAccuracy(db, actor, rubric);
}
