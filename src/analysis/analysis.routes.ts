import { Router, type Request, type Response } from 'express';
import { requireSignedIn } from '../auth';
import type { AppDeps } from '../deps';
import { idParam } from '../lib/forms';
import { clientIp, flash, refusalFlashed } from '../lib/http';
import { actorOf, analysedCallOr404, requireRole, STAFF_ROLES, visibleCallOr404 } from '../policy';
import { sendWaveform } from './analysis.api';
import { analysisOf, backfillAnalyses, queueProgress, rerunAnalysis, retryFailedAnalyses } from './analysis.service';
import { analysisSummary } from './analysis.view';

/** The pages' analysis routes: the admin's queue page and backfill, a call's re-run, and its waveform. */
export function analysisRoutes(deps: AppDeps): Router {
  async function queuePage(_req: Request, res: Response) {
    res.render('analysis/queue', { title: 'Call analysis', progress: await queueProgress(deps) });
  }

  async function backfill(req: Request, res: Response) {
    const queued = await backfillAnalyses(deps, actorOf(req), clientIp(req));
    flash(req, 'success', queued ? `${queued} calls queued for analysis.` : 'Every call with a recording is queued.');
    res.redirect(303, '/admin/analysis');
  }

  async function retryFailed(req: Request, res: Response) {
    const queued = await retryFailedAnalyses(deps, actorOf(req), clientIp(req));
    flash(req, 'success', queued ? `${queued} failed analyses queued again.` : 'No analysis has failed.');
    res.redirect(303, '/admin/analysis');
  }

  async function rerun(req: Request, res: Response) {
    const call = await analysedCallOr404(deps.db, actorOf(req), idParam(req, 'call'));
    await refusalFlashed(req, async () => {
      await rerunAnalysis(deps, actorOf(req), call, clientIp(req));
      flash(req, 'success', 'The call is queued for analysis again.');
    });
    res.redirect(303, `/calls/${call.id}`);
  }

  /** The stretches the waveform shades (dead air, overtalk), for staff only: a CSR sees the waveform bare. */
  async function segments(req: Request, res: Response) {
    const call = await analysedCallOr404(deps.db, actorOf(req), idParam(req, 'call'));
    const summary = analysisSummary(await analysisOf(deps, call.id), call);
    res.json({ dead_air: summary.segments?.dead_air ?? [], overtalk: summary.segments?.overtalk ?? [] });
  }

  async function waveform(req: Request, res: Response) {
    await sendWaveform(deps, req, res, await visibleCallOr404(deps.db, actorOf(req), idParam(req, 'call')));
  }

  const admin = requireRole('admin');
  const router = Router();
  router.get('/admin/analysis', admin, queuePage);
  router.post('/admin/analysis/backfill', admin, backfill);
  router.post('/admin/analysis/retry-failed', admin, retryFailed);
  router.post('/calls/:id/analysis', requireRole(...STAFF_ROLES), rerun);
  router.get('/calls/:id/waveform', requireSignedIn, waveform);
  router.get('/calls/:id/analysis/segments', requireRole(...STAFF_ROLES), segments);
  return router;
}
