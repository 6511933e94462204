import fsp from 'node:fs/promises';
import { Router, type Request, type Response } from 'express';
import { newCallRoutes, uploadErrorStatus, uploadPageErrors } from '../calls';
import type { AppDeps } from '../deps';
import { NotFound, Validation } from '../lib/errors';
import { clientIp } from '../lib/http';
import { actorOf, requireRole } from '../policy';
import { RecordingStorage, stagedFile, stagedFiles, uploader } from '../recordings';
import { checkBulkCsv, csvFile, ingestBulk, readCsv, type BulkMode } from './bulk.service';
import { checkCsvHeader } from './csv';
import type { ImportJob } from './import-jobs';
import { importFormatOf } from './sources';

/** Pages to add calls: one with its recording, many with a CSV, or a CSV of records alone. */
export function uploadRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use('/calls/bulk', requireRole('admin', 'manager', 'supervisor'));
  router.use('/calls/import', requireRole('admin', 'manager'));
  router.use(newCallRoutes(deps));
  router.use(bulkRoutes(deps));
  router.use(importPageRoutes(deps));
  return router;
}

/** Many calls at once: a CSV of records, each line naming its recording among the files sent with it. */
function bulkRoutes(deps: AppDeps): Router {
  const renderBulk = (res: Response, status: number, outcomes: unknown, error: string | null) =>
    res.status(status).render('calls/bulk', {
      title: 'Upload calls in bulk',
      outcomes,
      error,
      maxUploadMb: deps.config.maxUploadBytes / 1048576,
    });

  async function check(req: Request, res: Response) {
    const text = await readCsv(deps, stagedFile(req, 'csv'));
    res.json(await checkBulkCsv(deps, actorOf(req), text));
  }

  async function upload(req: Request, res: Response) {
    const wantsJson = req.accepts(['html', 'json']) === 'json';
    try {
      const text = await readCsv(deps, stagedFile(req, 'csv'));
      const requested = (req.body as Record<string, unknown>).mode;
      const mode: BulkMode = requested === 'given_files' || requested === 'no_recording' ? requested : 'all';
      const outcomes = await ingestBulk(deps, actorOf(req), text, stagedFiles(req, 'recordings'), mode, clientIp(req));
      if (wantsJson) return res.json({ outcomes });
      return renderBulk(res, 200, outcomes, null);
    } catch (err) {
      const errors = uploadPageErrors(err);
      if (!errors || wantsJson) throw err;
      return renderBulk(res, uploadErrorStatus(err), null, Object.values(errors).join(' '));
    }
  }

  const csvOnly = uploader(deps, [{ name: 'csv', maxCount: 1 }]);
  const csvAndRecordings = uploader(deps, [
    { name: 'csv', maxCount: 1 },
    { name: 'recordings', maxCount: 200 },
  ]);
  const router = Router();
  router.get('/calls/bulk', (_req, res) => renderBulk(res, 200, null, null));
  router.post('/calls/bulk/check', csvOnly, check);
  router.post('/calls/bulk', csvAndRecordings, upload);
  return router;
}

/** The ACD import from the page: the upload answers at once with a page that follows its progress. */
function importPageRoutes(deps: AppDeps): Router {
  async function start(req: Request, res: Response) {
    const requested = (req.body as Record<string, unknown>).format;
    const format = importFormatOf(requested) ?? 'callscore';
    try {
      if (importFormatOf(requested) === null) {
        throw new Validation([{ path: 'format', message: 'Choose the kind of file.' }], 'Choose the kind of file.');
      }
      const staged = stagedFile(req, 'csv');
      const path = csvFile(deps, staged);
      // A file refused for its first line (empty, not UTF-8, a column missing) is shown with the form at once.
      if (format === 'callscore') await checkCsvHeader(path);
      // The job owns the file from here: renamed so the upload's own clean-up does not remove it.
      const owned = deps.storage.stagedPath(RecordingStorage.newName());
      await fsp.rename(path, owned);
      let job: ImportJob;
      try {
        const file = { path: owned, name: staged?.originalName ?? '', bytes: staged?.size ?? 0, format };
        job = await deps.imports.start(deps, actorOf(req), file, clientIp(req));
      } catch (err) {
        // Refused (another import is running, or the server is stopping): the file is nobody's now.
        await fsp.rm(owned, { force: true });
        throw err;
      }
      res.redirect(303, `/calls/import/${job.id}`);
    } catch (err) {
      const errors = uploadPageErrors(err);
      if (!errors) throw err;
      res.status(uploadErrorStatus(err)).render('calls/import', {
        title: 'Import call records',
        error: Object.values(errors).join(' '),
        format,
      });
    }
  }

  const jobOr404 = async (req: Request) => {
    const id = String(req.params.id);
    const job = /^[a-f0-9]{32}$/.test(id) ? await deps.imports.get(deps, id, actorOf(req).id) : undefined;
    if (!job) throw new NotFound('No such import: it may have finished over an hour ago.');
    return job;
  };

  async function jobPage(req: Request, res: Response) {
    const job = await jobOr404(req);
    const running = job.state === 'checking' || job.state === 'writing';
    res.render('calls/import-job', {
      title: `Import of ${job.fileName || 'a CSV'}`,
      job,
      progress: progressOf(job),
      refreshSeconds: running ? 2 : 0,
    });
  }

  const router = Router();
  router.get('/calls/import', (_req, res) =>
    res.render('calls/import', { title: 'Import call records', error: null, format: 'callscore' }),
  );
  router.post('/calls/import', uploader(deps, [{ name: 'csv', maxCount: 1 }]), start);
  router.get('/calls/import/:id', jobPage);
  router.get('/calls/import/:id/progress', async (req, res) => {
    res.set('Cache-Control', 'no-store').json(progressOf(await jobOr404(req)));
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
