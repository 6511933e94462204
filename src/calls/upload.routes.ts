import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { AppError, Validation } from '../lib/errors';
import { clientIp, flash, pickFields } from '../lib/http';
import { actorOf, requireRole, teamScope } from '../policy/scope';
import { listPeople } from '../users/users.queries';
import { listTeams } from '../org/org.queries';
import { CALL_FIELD_NAMES } from './calls.schemas';
import { checkBulkCsv, csvFile, ingestBulk, readCsv, type BulkMode } from './bulk.service';
import { importCallsFile } from './import.service';
import { ingestCall } from './ingest.service';
import { stagedFile, stagedFiles, uploader } from './upload';

function errorsOf(err: unknown): Record<string, string> | null {
  if (err instanceof Validation) return err.byField();
  if (err instanceof AppError && err.status < 500) return { _form: err.message };
  return null;
}

/** Pages to add calls: one with its recording, many with a CSV, or a CSV of records alone. */
export function uploadRoutes(deps: AppDeps): Router {
  const router = Router();
  const uploaders = requireRole('admin', 'manager', 'supervisor');
  router.use(['/calls/new', '/calls/bulk'], uploaders);
  router.use('/calls/import', requireRole('admin', 'manager'));

  async function renderNew(
    req: Request,
    res: Response,
    status: number,
    values: Record<string, unknown>,
    errors: Record<string, string>,
  ) {
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

  router.get('/calls/new', async (req, res) => renderNew(req, res, 200, { direction: 'inbound' }, {}));

  const single = uploader(deps, [
    { name: 'recording', maxCount: 1 },
    { name: 'transcript', maxCount: 1 },
  ]);
  router.post('/calls', uploaders, single, async (req, res) => {
    const values = pickFields(req.body, CALL_FIELD_NAMES);
    try {
      const files = { recording: stagedFile(req, 'recording'), transcript: stagedFile(req, 'transcript') };
      const result = await ingestCall(deps, actorOf(req), values, files, clientIp(req));
      flash(
        req,
        result.created ? 'success' : 'info',
        result.created ? 'Call stored.' : 'That call was already stored; nothing changed.',
      );
      res.redirect(303, `/calls/${result.call.id}`);
    } catch (err) {
      const errors = errorsOf(err);
      if (!errors) throw err;
      await renderNew(req, res, (err as AppError).status, values, errors);
    }
  });

  router.get('/calls/bulk', (_req, res) => {
    res.render('calls/bulk', {
      title: 'Upload calls in bulk',
      outcomes: null,
      error: null,
      maxUploadMb: deps.config.maxUploadBytes / 1048576,
    });
  });

  const csvOnly = uploader(deps, [{ name: 'csv', maxCount: 1 }]);
  router.post('/calls/bulk/check', csvOnly, async (req, res) => {
    const text = await readCsv(deps, stagedFile(req, 'csv'));
    res.json(await checkBulkCsv(deps, actorOf(req), text));
  });

  const bulk = uploader(deps, [
    { name: 'csv', maxCount: 1 },
    { name: 'recordings', maxCount: 200 },
  ]);
  router.post('/calls/bulk', bulk, async (req, res) => {
    const wantsJson = req.accepts(['html', 'json']) === 'json';
    try {
      const text = await readCsv(deps, stagedFile(req, 'csv'));
      const requested = (req.body as Record<string, unknown>).mode;
      const mode: BulkMode = requested === 'given_files' || requested === 'no_recording' ? requested : 'all';
      const outcomes = await ingestBulk(deps, actorOf(req), text, stagedFiles(req, 'recordings'), mode, clientIp(req));
      if (wantsJson) return res.json({ outcomes });
      return res.render('calls/bulk', {
        title: 'Upload calls in bulk',
        outcomes,
        error: null,
        maxUploadMb: deps.config.maxUploadBytes / 1048576,
      });
    } catch (err) {
      const errors = errorsOf(err);
      if (!errors || wantsJson) throw err;
      return res.status((err as AppError).status).render('calls/bulk', {
        title: 'Upload calls in bulk',
        outcomes: null,
        error: Object.values(errors).join(' '),
        maxUploadMb: deps.config.maxUploadBytes / 1048576,
      });
    }
  });

  router.get('/calls/import', (_req, res) =>
    res.render('calls/import', { title: 'Import call records', summary: null, error: null }),
  );

  router.post('/calls/import', csvOnly, async (req, res) => {
    try {
      const summary = await importCallsFile(deps, actorOf(req), csvFile(deps, stagedFile(req, 'csv')), {
        ip: clientIp(req),
      });
      res.render('calls/import', { title: 'Import call records', summary, error: null });
    } catch (err) {
      const errors = errorsOf(err);
      if (!errors) throw err;
      res.status((err as AppError).status).render('calls/import', {
        title: 'Import call records',
        summary: null,
        error: Object.values(errors).join(' '),
      });
    }
  });

  return router;
}
