import { Router, type Request, type Response } from 'express';
import { runJobOnce } from '../db/exclusive';
import type { AppDeps } from '../deps';
import { idParam } from '../lib/forms';
import { actionFlashed, withDeps } from '../lib/http';
import { requireRole } from '../policy';
import { listReported } from './inbox.queries';
import { dismissInboxFile, retryInboxFile, sweepInbox } from './inbox.service';

const PAGE_ROWS = 500;
const HOUR = 3_600_000;

/** The sweep, run by one process at a time (PostgreSQL); the scheduler and "retry now" both use it. */
export function sweepInboxOnce(deps: AppDeps) {
  return runJobOnce(deps.db, 'recordings-inbox', () => sweepInbox(deps), { now: () => deps.clock.now() });
}

function age(ms: number): string {
  if (ms < HOUR) return `${Math.max(0, Math.floor(ms / 60_000))} min`;
  if (ms < 48 * HOUR) return `${Math.floor(ms / HOUR)} h`;
  return `${Math.floor(ms / (24 * HOUR))} days`;
}

async function inboxPage(deps: AppDeps, _req: Request, res: Response) {
  const now = deps.clock.now().getTime();
  const files = (await listReported(deps.db, PAGE_ROWS)).map((f) => ({
    ...f,
    age: age(now - Date.parse(f.first_seen)),
  }));
  const inbox = deps.config.inbox;
  res.render('inbox/index', {
    title: 'Recordings inbox',
    files,
    inbox: inbox ? { dir: inbox.dir, holdH: inbox.holdMs / HOUR, stableS: inbox.stableMs / 1000 } : null,
  });
}

async function retry(deps: AppDeps, req: Request, res: Response) {
  const id = idParam(req, 'file');
  await actionFlashed(
    req,
    res,
    '/admin/recordings-inbox',
    'Tried again: see the file below if it is still kept.',
    async () => {
      await retryInboxFile(deps, id);
      await sweepInboxOnce(deps);
    },
  );
}

async function dismissFile(deps: AppDeps, req: Request, res: Response) {
  const id = idParam(req, 'file');
  await actionFlashed(req, res, '/admin/recordings-inbox', 'Dismissed: the file stays in the folder.', () =>
    dismissInboxFile(deps, id),
  );
}

/** Admin page: the inbox's files that were not taken (held, unmatched, rejected, duplicate), with their reason. */
export function inboxRoutes(deps: AppDeps): Router {
  const router = Router();
  const handle = withDeps(deps);
  router.use('/admin/recordings-inbox', requireRole('admin'));
  router.get('/admin/recordings-inbox', handle(inboxPage));
  router.post('/admin/recordings-inbox/:id/retry', handle(retry));
  router.post('/admin/recordings-inbox/:id/dismiss', handle(dismissFile));
  return router;
}
