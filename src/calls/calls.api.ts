import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { clientIp } from '../lib/http';
import { actorOf, requireRole, STAFF_ROLES } from '../policy';
import { callFilesUploader, requireType, sendRecording, stagedCallFiles } from '../recordings';
import { callOf } from './calls.routes';
import { agentUsername, callJson, callSummaryJson, searchCalls } from './calls.service';
import { ingestCall } from './ingest.service';
import { transcriptApiHandler, transcriptCallLoader, transcriptMultipart } from './transcript.routes';

/**
 * /api/v1/calls without the ACD import (the imports room adds it): the phone system's push, and reads for
 * BI tools.
 */
export function callRecordsApiRoutes(deps: AppDeps): Router {
  async function push(req: Request, res: Response) {
    const files = stagedCallFiles(req);
    const result = await ingestCall(deps, actorOf(req), req.body, files, clientIp(req));
    res.status(result.created ? 201 : 200).json(callJson(result.call, await agentUsername(deps, result.call)));
  }

  async function list(req: Request, res: Response) {
    const result = await searchCalls(deps, actorOf(req), req.query, false);
    res.json({ items: result.items.map(callSummaryJson), next_cursor: result.next_cursor });
  }

  async function show(req: Request, res: Response) {
    const call = await callOf(deps, req);
    res.json(callJson(call, await agentUsername(deps, call)));
  }

  async function recording(req: Request, res: Response) {
    await sendRecording(deps, req, res, await callOf(deps, req));
  }

  const multipart = requireType('multipart/form-data', 'Send the call as multipart/form-data.');
  const callFiles = callFilesUploader(deps);
  const router = Router();
  router.post('/', requireRole('admin', 'manager', 'supervisor'), multipart, callFiles, push);
  router.get('/', requireRole(...STAFF_ROLES), list);
  router.get('/:id', show);
  router.get('/:id/recording', recording);
  router.post('/:id/transcript', transcriptCallLoader(deps), transcriptMultipart(deps), transcriptApiHandler(deps));
  return router;
}
