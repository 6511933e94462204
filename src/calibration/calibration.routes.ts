import { Router, type Request, type Response } from 'express';
import { sendRecording } from '../recordings';
import type { AppDeps } from '../deps';
import { visibleEvaluationOr404 } from '../policy';
import { AppError, NotFound, Validation } from '../lib/errors';
import { clientIp, flash, pickFields } from '../lib/http';
import { parseIdParam } from '../lib/validation';
import { actorOf, requireRole, STAFF_ROLES, teamScope } from '../policy';
import { publishedRubrics } from '../rubrics';
import { formatScore } from '../scoring';
import { callsToCalibrate, invitableStaff, listSessions } from './calibration.queries';
import { visibleSessionOr404 } from '../policy';
import { closeSession, openSession, startCalibrationScoring } from './calibration.service';
import { driftReport, sessionView } from './calibration.view';

const FORM_FIELDS = ['call_id', 'rubric_id', 'evaluator_ids', 'expert_id', 'blind_until', 'title'] as const;

function idParam(req: Request): number {
  const id = parseIdParam(req.params.id);
  if (id === null) throw new NotFound('No such calibration session.');
  return id;
}

/** The posted form as strings (and a list of evaluator ids), to show it again as it was typed. */
function formValues(body: unknown): Record<string, string | string[]> {
  const picked = pickFields(body, FORM_FIELDS);
  const ids = picked.evaluator_ids;
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    call_id: text(picked.call_id),
    rubric_id: text(picked.rubric_id),
    evaluator_ids: (Array.isArray(ids) ? ids : [ids]).filter((v): v is string => typeof v === 'string'),
    expert_id: text(picked.expert_id),
    blind_until: text(picked.blind_until) || 'submitted',
    title: text(picked.title),
  };
}

export function calibrationRoutes(deps: AppDeps): Router {
  const router = Router();
  const staff = requireRole(...STAFF_ROLES);

  router.get('/calibration', staff, async (req, res) => {
    const actor = actorOf(req);
    const sessions = await listSessions(deps.db, { scope: await teamScope(deps.db, actor), actor, limit: 200 });
    res.render('calibration/list', {
      title: 'Calibration',
      open: sessions.filter((s) => s.status === 'open'),
      closed: sessions.filter((s) => s.status === 'closed'),
    });
  });

  async function renderNew(
    req: Request,
    res: Response,
    values: Record<string, string | string[]>,
    status = 200,
    errors: Record<string, string> = {},
  ) {
    const actor = actorOf(req);
    const scope = await teamScope(deps.db, actor);
    const chosen = parseIdParam(values.call_id);
    const [calls, rubrics, people] = await Promise.all([
      callsToCalibrate(deps.db, scope),
      publishedRubrics(deps.db),
      invitableStaff(deps.db, actor, scope),
    ]);
    // A call chosen from its own page may be older than the recent ones offered.
    if (chosen !== null && !calls.some((c) => c.id === chosen)) {
      calls.unshift(...(await callsToCalibrate(deps.db, scope, 1, chosen)));
    }
    res
      .status(status)
      .render('calibration/new', { title: 'New calibration session', calls, rubrics, people, values, errors });
  }

  router.get('/calibration/new', staff, async (req, res) => {
    const callId = parseIdParam(req.query.call_id);
    await renderNew(req, res, formValues({ call_id: callId === null ? '' : String(callId) }));
  });

  router.post('/calibration', staff, async (req, res) => {
    try {
      const session = await openSession(deps, actorOf(req), req.body ?? {}, clientIp(req));
      flash(req, 'success', 'Calibration session opened: the evaluators find it under Calibration.');
      res.redirect(303, `/calibration/${session.id}`);
    } catch (err) {
      if (!(err instanceof Validation)) throw err;
      const errors = err.byField();
      for (const path of Object.keys(errors))
        if (path.startsWith('evaluator_ids.')) errors.evaluator_ids ??= errors[path];
      await renderNew(req, res, formValues(req.body), 422, errors);
    }
  });

  router.get('/calibration/drift', staff, async (req, res) => {
    const report = await driftReport(deps, actorOf(req));
    res.render('calibration/drift', { title: 'Evaluator drift', ...report });
  });

  router.get('/calibration/evaluations/:id/recording', staff, async (req, res) => {
    const evaluation = await visibleEvaluationOr404(deps.db, actorOf(req), idParam(req));
    if (evaluation.kind !== 'calibration') throw new NotFound('No such scorecard.');
    const call = await deps.db.selectFrom('calls').selectAll().where('id', '=', evaluation.call_id).executeTakeFirst();
    if (!call) throw new NotFound('No such call.');
    await sendRecording(deps, req, res, call);
  });

  router.get('/calibration/:id', staff, async (req, res) => {
    const actor = actorOf(req);
    const session = await visibleSessionOr404(deps.db, actor, idParam(req));
    const view = await sessionView(deps, actor, session);
    res.render('calibration/show', { title: `Calibration: ${session.title}`, ...view, formatScore });
  });

  router.post('/calibration/:id/score', staff, async (req, res) => {
    const id = idParam(req);
    try {
      const evaluationId = await startCalibrationScoring(deps, actorOf(req), id, clientIp(req));
      res.redirect(303, `/evaluations/${evaluationId}/score`);
    } catch (err) {
      if (!(err instanceof AppError && err.status === 409)) throw err;
      flash(req, 'error', err.message);
      res.redirect(303, `/calibration/${id}`);
    }
  });

  router.post('/calibration/:id/close', staff, async (req, res) => {
    const id = idParam(req);
    try {
      await closeSession(deps, actorOf(req), id, clientIp(req));
      flash(req, 'success', 'Session closed: every evaluator can now see all the answers.');
    } catch (err) {
      if (!(err instanceof AppError && err.status === 409)) throw err;
      flash(req, 'error', err.message);
    }
    res.redirect(303, `/calibration/${id}`);
  });

  return router;
}
