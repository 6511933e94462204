import { Router, type Request, type Response } from 'express';
import { requireSignedIn } from '../auth';
import type { DB } from '../db/database';
import type { Evaluation } from '../db/schema';
import type { AppDeps } from '../deps';
import { NotFound, Validation } from '../lib/errors';
import { formBody, idParam } from '../lib/forms';
import { actionFlashed, clientIp } from '../lib/http';
import { parseIdParam, parseInput } from '../lib/validation';
import {
  actorOf,
  CSR_VISIBLE,
  requireRole,
  sessionOfEvaluation,
  STAFF_ROLES,
  teamScope,
  visibleEvaluationOr404,
  type Actor,
} from '../policy';
import { riskLabels, riskLimits, riskQuerySchema, riskReasons, type RiskQuery } from '../risk';
import { publishedRubrics } from '../rubrics';
import { assignedPicks } from '../sampling';
import { evaluationView } from './evaluation-view';
import { listEvaluations } from './evaluations.queries';
import { acknowledgeSchema } from './evaluations.schemas';
import { acknowledgeEvaluation, releaseEvaluation, startEvaluation } from './evaluations.service';
import { unscoredCalls } from './queue.queries';
import { autosave, rescoreForm, saveForm, scoringForm } from './scoring.routes';

type Handler = (req: Request, res: Response) => Promise<void>;

/**
 * What rooms above this one add to the scorecard pages (the disputes room: the dispute panel and which
 * scorecards are in review). The composition root passes them in, so evaluations imports no room above it.
 */
export interface ScorecardExtras {
  disputePanel(deps: AppDeps, actor: Actor, evaluation: Evaluation): Promise<unknown>;
  evaluationsInReview(db: DB, evaluationIds: number[]): Promise<Set<number>>;
}

const scorecardId = (req: Request) => idParam(req, 'scorecard');

/** The scoring page: calls nobody scored yet, the actor's drafts, and scorecards waiting or released. */
function queuePage(deps: AppDeps): Handler {
  return async (req, res) => {
    const actor = actorOf(req);
    const scope = await teamScope(deps.db, actor);
    const teamIds = scope.all ? ('all' as const) : scope.teamIds;
    const category = typeof req.query.category === 'string' ? req.query.category.slice(0, 100) : '';
    const parsed = parseInput(riskQuerySchema, { risk: req.query.risk, sort: req.query.sort });
    const limits = await riskLimits(deps.db);
    const risk: RiskQuery = { risk: parsed.risk, sort: parsed.sort === 'risk' ? 'risk' : 'newest', limits };
    const [calls, drafts, submitted, pending, rubrics, assigned] = await Promise.all([
      unscoredCalls(deps.db, teamIds, 25, category || undefined, risk),
      listEvaluations(deps.db, { teamIds, evaluatorId: actor.id, statuses: ['draft'], limit: 25 }),
      listEvaluations(deps.db, { teamIds, statuses: CSR_VISIBLE, limit: 15 }),
      listEvaluations(deps.db, { teamIds, statuses: ['submitted'], limit: 25 }),
      publishedRubrics(deps.db),
      assignedPicks(deps.db, actor.id, teamIds, deps.clock.now().toISOString()),
    ]);
    res.render('evaluations/queue', {
      title: 'Scoring',
      queue: calls.map((c) => ({ ...c, reasons: riskReasons(c, limits) })),
      risk,
      riskLabels: riskLabels(limits),
      drafts: drafts.items,
      submitted: submitted.items,
      pending: pending.items,
      rubrics,
      category,
      assigned,
    });
  };
}

function start(deps: AppDeps): Handler {
  return async (req, res) => {
    const { call_id: callId, rubric_id: rubricId } = formBody(req);
    const call = parseIdParam(callId);
    const rubric = parseIdParam(rubricId);
    if (call === null) throw new NotFound('No such call.');
    if (rubric === null) throw new Validation([{ path: 'rubric_id', message: 'Choose a rubric.' }]);
    const evaluation = await startEvaluation(deps, actorOf(req), call, rubric, clientIp(req));
    res.redirect(303, `/evaluations/${evaluation.id}/score`);
  };
}

/** A scorecard: a draft opens its form; a calibration one is shown within its session. */
function scorecardPage(deps: AppDeps, extras: ScorecardExtras): Handler {
  return async (req, res) => {
    const actor = actorOf(req);
    const evaluation = await visibleEvaluationOr404(deps.db, actor, scorecardId(req));
    if (evaluation.status === 'draft') return res.redirect(303, `/evaluations/${evaluation.id}/score`);
    if (evaluation.kind === 'calibration') {
      const session = await sessionOfEvaluation(deps.db, evaluation.id);
      if (!session) throw new NotFound('No such scorecard.');
      return res.redirect(303, `/calibration/${session.id}`);
    }
    const [view, disputes] = await Promise.all([
      evaluationView(deps.db, evaluation),
      extras.disputePanel(deps, actor, evaluation),
    ]);
    res.render('evaluations/scorecard', { title: `Scorecard: ${view.call.external_id}`, ...view, disputes });
  };
}

function release(deps: AppDeps): Handler {
  return async (req, res) => {
    const id = scorecardId(req);
    const done = 'Released: the CSR can now see this scorecard.';
    await actionFlashed(req, res, `/evaluations/${id}`, done, () =>
      releaseEvaluation(deps, actorOf(req), id, clientIp(req)),
    );
  };
}

function acknowledge(deps: AppDeps): Handler {
  return async (req, res) => {
    const id = scorecardId(req);
    const { comment } = parseInput(acknowledgeSchema, { comment: formBody(req).comment });
    await actionFlashed(req, res, `/evaluations/${id}`, 'Thank you: scorecard acknowledged.', () =>
      acknowledgeEvaluation(deps, actorOf(req), id, comment, clientIp(req)),
    );
  };
}

/** The CSR's own released scorecards, marking those with a dispute in review. */
function myScorecards(deps: AppDeps, extras: ScorecardExtras): Handler {
  return async (req, res) => {
    const actor = actorOf(req);
    const page = await listEvaluations(deps.db, {
      teamIds: 'all',
      agentId: actor.id,
      statuses: CSR_VISIBLE,
      limit: 100,
    });
    const inReview = await extras.evaluationsInReview(
      deps.db,
      page.items.map((e) => e.id),
    );
    res.render('evaluations/mine', { title: 'My scorecards', items: page.items, inReview });
  };
}

export function evaluationRoutes(deps: AppDeps, extras: ScorecardExtras): Router {
  const router = Router();
  const scorers = requireRole(...STAFF_ROLES);
  router.get('/evaluations', scorers, queuePage(deps));
  router.post('/evaluations/start', scorers, start(deps));
  router.get('/evaluations/:id/score', scorers, scoringForm(deps, 'score'));
  router.get('/evaluations/:id/rescore', scorers, scoringForm(deps, 'rescore'));
  router.post('/evaluations/:id/score', scorers, saveForm(deps));
  router.put('/evaluations/:id/draft', scorers, autosave(deps));
  router.post('/evaluations/:id/rescore', scorers, rescoreForm(deps));
  router.get('/evaluations/:id', requireSignedIn, scorecardPage(deps, extras));
  router.post('/evaluations/:id/release', scorers, release(deps));
  router.post('/evaluations/:id/acknowledge', requireSignedIn, acknowledge(deps));
  router.get('/scorecards', requireRole('csr'), myScorecards(deps, extras));
  return router;
}
