import fsp from 'node:fs/promises';
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { AppError, NotFound, Validation } from '../lib/errors';
import { clientIp, flash, pickFields } from '../lib/http';
import { actorOf, requireRole, teamScope } from '../policy';
import { listPeople } from '../users';
import { listTeams } from '../org';
import { CALL_FIELD_NAMES } from './calls.schemas';
import { checkBulkCsv, csvFile, ingestBulk, readCsv, type BulkMode } from './bulk.service';
import type { ImportJob } from './import-jobs';
import { checkCsvHeader } from './import.service';
import { ingestCall } from './ingest.service';
import { RecordingStorage } from './storage';
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

  router.get('/calls/import', (_req, res) => res.render('calls/import', { title: 'Import call records', error: null }));

  // The upload answers at once with a page that follows the import's progress (ImportJobs).
  router.post('/calls/import', csvOnly, async (req, res) => {
    try {
      const staged = stagedFile(req, 'csv');
      const path = csvFile(deps, staged);
      // A file refused for its first line (empty, not UTF-8, a column missing) is shown with the form at once.
      await checkCsvHeader(path);
      // The job owns the file from here: renamed so the upload's own clean-up does not remove it.
      const owned = deps.storage.stagedPath(RecordingStorage.newName());
      await fsp.rename(path, owned);
      let job: ImportJob;
      try {
        job = deps.imports.start(
          deps,
          actorOf(req),
          { path: owned, name: staged!.originalName, bytes: staged!.size },
          clientIp(req),
        );
      } catch (err) {
        // Refused (another import is running, or the server is stopping): the file is nobody's now.
        await fsp.rm(owned, { force: true });
        throw err;
      }
      res.redirect(303, `/calls/import/${job.id}`);
    } catch (err) {
      const errors = errorsOf(err);
      if (!errors) throw err;
      res.status((err as AppError).status).render('calls/import', {
        title: 'Import call records',
        error: Object.values(errors).join(' '),
      });
    }
  });

  const jobOr404 = (req: Request) => {
    const id = String(req.params.id);
    const job = /^[a-f0-9]{32}$/.test(id) ? deps.imports.get(id, actorOf(req).id) : undefined;
    if (!job) throw new NotFound('No such import: it may have finished over an hour ago, or the server restarted.');
    return job;
  };

  router.get('/calls/import/:id', (req, res) => {
    const job = jobOr404(req);
    const running = job.state === 'checking' || job.state === 'writing';
    res.render('calls/import-job', {
      title: `Import of ${job.fileName || 'a CSV'}`,
      job,
      progress: progressOf(job),
      refreshSeconds: running ? 2 : 0,
    });
  });

  router.get('/calls/import/:id/progress', (req, res) => {
    res.set('Cache-Control', 'no-store').json(progressOf(jobOr404(req)));
  });

  return router;
}

/** What the progress page and its script show: the phase, a percentage and a sentence. */
function progressOf(job: ImportJob) {
  const n = (value: number) => value.toLocaleString('en-US');
  let percent = 100;
  let message: string;
  if (job.state === 'checking') {
    percent = job.fileBytes ? Math.floor((100 * job.checkedBytes) / job.fileBytes) : 0;
    message = `Checking every line before anything is added: ${percent}% of the file read.`;
  } else if (job.state === 'writing') {
    percent = job.total ? Math.floor((100 * job.done) / job.total) : 100;
    message = `Adding calls: ${n(job.done)} of ${n(job.total)}.`;
  } else if (job.state === 'done') {
    message = 'Import finished.';
  } else {
    message = 'Import failed.';
  }
  return { state: job.state, percent, message, done: job.done, total: job.total };
}
