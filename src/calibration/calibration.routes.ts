import { Router, type Request, type Response } from 'express';
import { sendRecording } from '../recordings';
import type { AppDeps } from '../deps';
import { AppError, NotFound, Validation } from '../lib/errors';
import { formBody, idParam } from '../lib/forms';
import { actionFlashed, clientIp, flash, pickFields, successRedirect } from '../lib/http';
import { parseIdParam } from '../lib/validation';
import { distinctCategories, searchCalls } from '../calls';
import { listTeams } from '../org';
import {
  actorOf,
  requireRole,
  STAFF_ROLES,
  type Actor,
  teamScope,
  visibleEvaluationOr404,
  visibleSessionOr404,
} from '../policy';
import { publishedRubrics } from '../rubrics';
import { formatScore } from '../scoring';
import { callsToCalibrate, findCall, invitableStaff, listSessions } from './calibration.queries';
import { closeSession, openSession, startCalibrationScoring } from './calibration.service';
import { driftReport, sessionView } from './calibration.view';

type Handler = (req: Request, res: Response) => Promise<void>;
type FormValues = Record<string, string | string[]>;

const FORM_FIELDS = ['call_id', 'rubric_id', 'evaluator_ids', 'expert_id', 'blind_until', 'title'] as const;

const sessionId = (req: Request) => idParam(req, 'calibration session');

/** The posted form as strings (and a list of evaluator ids), to show it again as it was typed. */
function formValues(body: unknown): FormValues {
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

function sessionList(deps: AppDeps): Handler {
  return async (req, res) => {
    const actor = actorOf(req);
    const sessions = await listSessions(deps.db, { scope: await teamScope(deps.db, actor), actor, limit: 200 });
    res.render('calibration/list', {
      title: 'Calibration',
      open: sessions.filter((s) => s.status === 'open'),
      closed: sessions.filter((s) => s.status === 'closed'),
    });
  };
}

async function renderNew(
  deps: AppDeps,
  req: Request,
  res: Response,
  values: FormValues,
  refused?: { errors: Record<string, string> },
): Promise<void> {
  const actor = actorOf(req);
  const scope = await teamScope(deps.db, actor);
  const chosen = parseIdParam(values.call_id);
  const [picker, rubrics, people, teams, categories] = await Promise.all([
    pickableCalls(deps, actor, req),
    publishedRubrics(deps.db),
    invitableStaff(deps.db, actor, scope),
    listTeams(deps.db, scope.all ? undefined : scope.teamIds),
    distinctCategories(deps.db),
  ]);
  const calls: Array<{
    id: number;
    external_id: string;
    started_at: string;
    category: string | null;
    agent_name: string;
  }> = [...picker.calls];
  // A call chosen from its own page (or before filtering) stays offered even when the filters leave it out.
  if (chosen !== null && !calls.some((c) => c.id === chosen)) {
    calls.unshift(...(await callsToCalibrate(deps.db, scope, 1, chosen)));
  }
  res.status(refused ? 422 : picker.errors ? 422 : 200).render('calibration/new', {
    title: 'New calibration session',
    calls,
    matched: picker.total,
    query: picker.query,
    filterErrors: picker.errors ?? {},
    teams,
    categories,
    rubrics,
    people,
    values,
    errors: refused?.errors ?? {},
  });
}

/** How many matching calls the picker offers; the filters narrow the rest down. */
const PICKER_LIMIT = 50;

/**
 * The calls the picker offers, found with the call list's own search and filters (the query string of
 * GET /calibration/new). With no filter at all it offers recorded calls, the ones worth calibrating on.
 */
async function pickableCalls(deps: AppDeps, actor: Actor, req: Request) {
  const raw = req.method === 'GET' ? { ...(req.query as Record<string, unknown>) } : {};
  delete raw.call_id;
  const query = Object.keys(raw).length === 0 ? { recording: 'with' } : raw;
  try {
    const found = await searchCalls(deps, actor, { ...query, limit: PICKER_LIMIT });
    const calls = found.items.map((c) => ({ ...c, agent_name: c.agent_name ?? 'no agent' }));
    return { calls, total: found.total, query: found.query, errors: null };
  } catch (err) {
    if (!(err instanceof Validation)) throw err;
    return { calls: [], total: 0, query: {}, errors: err.byField() };
  }
}

function newSessionForm(deps: AppDeps): Handler {
  return async (req, res) => {
    const callId = parseIdParam(req.query.call_id);
    await renderNew(deps, req, res, formValues({ call_id: callId === null ? '' : String(callId) }));
  };
}

function open(deps: AppDeps): Handler {
  return async (req, res) => {
    try {
      const session = await openSession(deps, actorOf(req), formBody(req), clientIp(req));
      const opened = 'Calibration session opened: the evaluators find it under Calibration.';
      successRedirect(req, res, opened, `/calibration/${session.id}`);
    } catch (err) {
      if (!(err instanceof Validation)) throw err;
      const errors = err.byField();
      for (const [path, message] of Object.entries(errors))
        if (path.startsWith('evaluator_ids.')) errors.evaluator_ids ??= message;
      await renderNew(deps, req, res, formValues(req.body), { errors });
    }
  };
}

function drift(deps: AppDeps): Handler {
  return async (req, res) => {
    const report = await driftReport(deps, actorOf(req));
    res.render('calibration/drift', { title: 'Evaluator drift', ...report });
  };
}

/** Calibration evaluators may come from outside the call's team: they hear it through their scorecard. */
function recording(deps: AppDeps): Handler {
  return async (req, res) => {
    const evaluation = await visibleEvaluationOr404(deps.db, actorOf(req), idParam(req, 'calibration session'));
    if (evaluation.kind !== 'calibration') throw new NotFound('No such scorecard.');
    const call = await findCall(deps.db, evaluation.call_id);
    if (!call) throw new NotFound('No such call.');
    await sendRecording(deps, req, res, call);
  };
}

function sessionPage(deps: AppDeps): Handler {
  return async (req, res) => {
    const actor = actorOf(req);
    const session = await visibleSessionOr404(deps.db, actor, sessionId(req));
    const view = await sessionView(deps, actor, session);
    res.render('calibration/show', { title: `Calibration: ${session.title}`, ...view, formatScore });
  };
}

function score(deps: AppDeps): Handler {
  return async (req, res) => {
    const id = sessionId(req);
    try {
      const evaluationId = await startCalibrationScoring(deps, actorOf(req), id, clientIp(req));
      res.redirect(303, `/evaluations/${evaluationId}/score`);
    } catch (err) {
      if (!(err instanceof AppError && err.status === 409)) throw err;
      flash(req, 'error', err.message);
      res.redirect(303, `/calibration/${id}`);
    }
  };
}

function close(deps: AppDeps): Handler {
  return async (req, res) => {
    const id = sessionId(req);
    const done = 'Session closed: every evaluator can now see all the answers.';
    await actionFlashed(req, res, `/calibration/${id}`, done, () =>
      closeSession(deps, actorOf(req), id, clientIp(req)),
    );
  };
}

export function calibrationRoutes(deps: AppDeps): Router {
  const router = Router();
  const staff = requireRole(...STAFF_ROLES);
  router.get('/calibration', staff, sessionList(deps));
  router.get('/calibration/new', staff, newSessionForm(deps));
  router.post('/calibration', staff, open(deps));
  router.get('/calibration/drift', staff, drift(deps));
  router.get('/calibration/evaluations/:id/recording', staff, recording(deps));
  router.get('/calibration/:id', staff, sessionPage(deps));
  router.post('/calibration/:id/score', staff, score(deps));
  router.post('/calibration/:id/close', staff, close(deps));
  return router;
}
