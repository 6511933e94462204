import { autoEvaluationsOfCall } from '../autoeval';
import { topicsOfCall } from '../topics';
import { Router, type Request, type Response } from 'express';
import { analysisOf, analysisSummary } from '../analysis';
import { requireSignedIn } from '../auth';
import type { Call } from '../db/schema';
import type { AppDeps } from '../deps';
import { listEvaluations } from '../evaluations';
import { NotFound } from '../lib/errors';
import type { FormAgain } from '../lib/form-again';
import { idParam } from '../lib/forms';
import { clientIp, successRedirect } from '../lib/http';
import { listTeams } from '../org';
import { actorOf, mayOpenCallPages, mayReplaceTranscript, requireRole, visibleCallOr404 } from '../policy';
import { callCues, sendRecording } from '../recordings';
import { publishedRubrics } from '../rubrics';
import { callListRoutes } from './call-list.routes';
import { findAgentNames } from './calls.queries';
import { deleteCall } from './calls.service';
import { transcriptCallLoader, transcriptMultipart, transcriptPageHandler } from './transcript.routes';

/** The call named by the path's id, if the signed-in person may open it (else 404). */
export async function callOf(deps: AppDeps, req: Request) {
  return visibleCallOr404(deps.db, actorOf(req), idParam(req, 'call'));
}

/** What the call page shows beside the call itself. */
async function callPageParts(deps: AppDeps, call: Call) {
  const [agent, team, rubrics, evaluations, analysis, autoEvaluations, topics] = await Promise.all([
    call.agent_id ? findAgentNames(deps.db, call.agent_id) : undefined,
    call.team_id ? listTeams(deps.db, [call.team_id]).then((t) => t[0]) : undefined,
    publishedRubrics(deps.db),
    listEvaluations(deps.db, { teamIds: 'all', callId: call.id, limit: 50 }),
    analysisOf(deps, call.id),
    autoEvaluationsOfCall(deps.db, call.id),
    topicsOfCall(deps.db, call.id),
  ]);
  return {
    agent,
    team,
    cues: callCues(call),
    rubrics,
    evaluations: evaluations.items,
    analysis: analysisSummary(analysis, call),
    autoEvaluations,
    topics,
  };
}

// A CSR has no call pages: any id is simply not found for them (silent monitoring).
export async function renderCallPage(
  deps: AppDeps,
  req: Request,
  res: Response,
  { status = 200, errors = {} }: Omit<FormAgain, 'values'> = {},
) {
  if (!mayOpenCallPages(actorOf(req))) throw new NotFound('No such call.');
  const call = await callOf(deps, req);
  res.status(status).render('calls/show', {
    title: `Call ${call.external_id}`,
    call,
    mayUploadTranscript: mayReplaceTranscript(actorOf(req)),
    errors,
    ...(await callPageParts(deps, call)),
  });
}

export function callRoutes(deps: AppDeps): Router {
  async function recording(req: Request, res: Response) {
    await sendRecording(deps, req, res, await callOf(deps, req));
  }

  async function remove(req: Request, res: Response) {
    const call = await callOf(deps, req);
    await deleteCall(deps, actorOf(req), call, clientIp(req));
    successRedirect(req, res, `Call ${call.external_id} and its recording were deleted.`, '/calls');
  }

  const router = Router();
  router.use(callListRoutes(deps));
  router.get('/calls/:id', requireSignedIn, (req, res) => renderCallPage(deps, req, res));
  router.get('/calls/:id/recording', requireSignedIn, recording);
  router.post('/calls/:id/delete', requireRole('admin'), remove);
  router.post(
    '/calls/:id/transcript',
    requireSignedIn,
    transcriptCallLoader(deps),
    transcriptMultipart(deps),
    transcriptPageHandler(deps, (q, r, again) => renderCallPage(deps, q, r, again)),
  );
  return router;
}
