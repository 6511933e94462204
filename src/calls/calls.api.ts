import contentType from 'content-type';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { AppError } from '../lib/errors';
import { clientIp } from '../lib/http';
import { actorOf, requireRole, STAFF_ROLES, visibleCallOr404 } from '../policy';
import { callIdParam } from './calls.routes';
import { agentUsername, callJson, callSummaryJson, searchCalls } from './calls.service';
import { MAX_CSV_BYTES } from './bulk.service';
import { importCallsFile } from './import.service';
import { ingestCall } from './ingest.service';
import { sendRecording } from './recording';
import { stagedFile, stageBody, uploader } from './upload';

class UnsupportedType extends AppError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}

function requireType(type: string, hint: string) {
  return (req: Request, _res: Response, next: NextFunction) =>
    req.is(type) ? next() : next(new UnsupportedType(hint));
}

/** /api/v1/calls: the phone system's push, the ACD import, and reads for BI tools. */
export function callsApiRoutes(deps: AppDeps): Router {
  const router = Router();
  const uploaders = requireRole('admin', 'manager', 'supervisor');

  router.post(
    '/',
    uploaders,
    requireType('multipart/form-data', 'Send the call as multipart/form-data.'),
    uploader(deps, [
      { name: 'recording', maxCount: 1 },
      { name: 'transcript', maxCount: 1 },
    ]),
    async (req, res) => {
      const files = { recording: stagedFile(req, 'recording'), transcript: stagedFile(req, 'transcript') };
      const result = await ingestCall(deps, actorOf(req), req.body, files, clientIp(req));
      res.status(result.created ? 201 : 200).json(callJson(result.call, await agentUsername(deps, result.call)));
    },
  );

  router.post(
    '/import',
    requireRole('admin', 'manager'),
    requireType('text/csv', 'Send the CSV with Content-Type: text/csv.'),
    async (req, res) => {
      const encoding = req.headers['content-encoding'];
      if (encoding && encoding !== 'identity') throw new UnsupportedType('Send the CSV uncompressed.');
      let charset: string | undefined;
      try {
        charset = contentType.parse(req).parameters.charset?.toLowerCase();
      } catch {
        throw new UnsupportedType('Send the CSV with Content-Type: text/csv.');
      }
      if (charset && !['utf-8', 'utf8', 'us-ascii'].includes(charset)) {
        throw new UnsupportedType('Send the CSV as UTF-8.');
      }
      const release = deps.imports.acquire(deps);
      let summary: Awaited<ReturnType<typeof importCallsFile>>;
      try {
        const staged = await stageBody(deps, req, MAX_CSV_BYTES);
        try {
          const file = deps.storage.stagedPath(staged.stagedName);
          summary = await importCallsFile(deps, actorOf(req), file, { ip: clientIp(req), signal: deps.imports.signal });
        } finally {
          // Kept until the import is over, even if the client has gone: both passes read it.
          await deps.storage.removeStaged(staged.stagedName);
        }
      } finally {
        // Before answering, so the client's next import is not refused as running.
        release();
      }
      res.json(summary);
    },
  );

  router.get('/', requireRole(...STAFF_ROLES), async (req, res) => {
    const result = await searchCalls(deps, actorOf(req), req.query, false);
    res.json({
      items: result.items.map(callSummaryJson),
      next_cursor: result.next_cursor,
    });
  });

  router.get('/:id', async (req, res) => {
    const call = await visibleCallOr404(deps.db, actorOf(req), callIdParam(req));
    res.json(callJson(call, await agentUsername(deps, call)));
  });

  router.get('/:id/recording', async (req, res) => {
    const call = await visibleCallOr404(deps.db, actorOf(req), callIdParam(req));
    await sendRecording(deps, req, res, call);
  });

  return router;
}
