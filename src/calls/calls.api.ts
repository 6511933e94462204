import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { AppError } from '../lib/errors';
import { clientIp } from '../lib/http';
import { actorOf, requireRole, STAFF_ROLES, visibleCallOr404 } from '../policy/scope';
import { callIdParam } from './calls.routes';
import { agentUsername, callJson, callSummaryJson, searchCalls } from './calls.service';
import { importCalls } from './import.service';
import { ingestCall } from './ingest.service';
import { sendRecording } from './recording';
import { stagedFile, uploader } from './upload';

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
    express.text({ type: 'text/csv', limit: '50mb' }),
    async (req, res) => {
      const text = typeof req.body === 'string' ? req.body : '';
      res.json(await importCalls(deps, actorOf(req), text, clientIp(req)));
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
