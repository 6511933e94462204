import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { AppError, Validation } from '../lib/errors';
import type { FormAgain } from '../lib/form-again';
import { clientIp, flash, pickFields } from '../lib/http';
import { listTeams } from '../org';
import { actorOf, requireRole, teamScope } from '../policy';
import { callFilesUploader, stagedCallFiles } from '../recordings';
import { listPeople } from '../users';
import { CALL_FIELD_NAMES } from './calls.schemas';
import { ingestCall } from './ingest.service';

/** Problems to show on an upload page, or null when the error is not about the upload (rethrow it). */
export function uploadPageErrors(err: unknown): Record<string, string> | null {
  if (err instanceof Validation) return err.byField();
  if (err instanceof AppError && err.status < 500) return { _form: err.message };
  return null;
}

/** The status an upload page answers with for an error uploadPageErrors described. */
export function uploadErrorStatus(err: unknown): number {
  return err instanceof AppError ? err.status : 500;
}

/** The page to add one call with its recording and transcript. */
export function newCallRoutes(deps: AppDeps): Router {
  async function renderNew(req: Request, res: Response, { status = 200, values = {}, errors = {} }: FormAgain) {
    const scope = await teamScope(deps.db, actorOf(req));
    const [agents, teams] = await Promise.all([
      listPeople(deps.db, { scope, role: 'csr', includeInactive: false }),
      listTeams(deps.db, scope.all ? undefined : scope.teamIds),
    ]);
    res.status(status).render('calls/new', {
      title: 'Add a call',
      values,
      errors,
      agents,
      teams,
      maxUploadMb: deps.config.maxUploadBytes / 1048576,
    });
  }

  async function create(req: Request, res: Response) {
    const values = pickFields(req.body, CALL_FIELD_NAMES);
    try {
      const files = stagedCallFiles(req);
      const result = await ingestCall(deps, actorOf(req), values, files, clientIp(req));
      flash(
        req,
        result.created ? 'success' : 'info',
        result.created ? 'Call stored.' : 'That call was already stored; nothing changed.',
      );
      res.redirect(303, `/calls/${result.call.id}`);
    } catch (err) {
      const errors = uploadPageErrors(err);
      if (!errors) throw err;
      await renderNew(req, res, { status: uploadErrorStatus(err), values, errors });
    }
  }

  const uploaders = requireRole('admin', 'manager', 'supervisor');
  const callFiles = callFilesUploader(deps);
  const router = Router();
  router.use('/calls/new', uploaders);
  router.get('/calls/new', (req, res) => renderNew(req, res, { values: { direction: 'inbound' } }));
  router.post('/calls', uploaders, callFiles, create);
  return router;
}
