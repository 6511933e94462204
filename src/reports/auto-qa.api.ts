import type { Request, Response } from 'express';
import type { AppDeps } from '../deps';
import { NotFound } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { actorOf } from '../policy';
import { loadRubric } from '../rubrics';
import { autoQaReport } from './auto-qa';
import { autoQaQuerySchema } from './auto-qa.schemas';
import { reportFilter } from './filters';

/** GET /api/v1/reports/auto-qa (staff only: reportsApiRoutes refuses a CSR with 403, as every report). */
export function autoQaApi(deps: AppDeps) {
  return async (req: Request, res: Response) => {
    const query = parseInput(autoQaQuerySchema, req.query);
    const filter = await reportFilter(deps.db, actorOf(req), req.query, deps.clock.now(), 90);
    if (query.rubric_id !== undefined && !(await loadRubric(deps.db, query.rubric_id)))
      throw new NotFound('No such rubric.');
    const report = await autoQaReport(deps.db, filter, query.rubric_id);
    res.json({ from: filter.fromParam ?? filter.fromDate, to: filter.toParam ?? filter.toDate, ...report });
  };
}
