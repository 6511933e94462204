import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { evaluationJson } from '../evaluations';
import { formBody, idParam } from '../lib/forms';
import { clientIp } from '../lib/http';
import { parseInput } from '../lib/validation';
import { actorOf, requireRole, STAFF_ROLES, teamScope, visibleDisputeOr404, visibleEvaluationOr404 } from '../policy';
import { disputesOfEvaluation, listDisputes } from './disputes.queries';
import { disputeListSchema, openedIn } from './disputes.schemas';
import { openDispute, rescoreDispute, upholdDispute } from './disputes.service';
import { disputeDetail, withItems, type DisputeDetail } from './disputes.view';
import { keysetPage } from '../lib/pages';

export function disputeJson(d: DisputeDetail) {
  return {
    id: d.id,
    evaluation_id: d.evaluation_id,
    status: d.status,
    reason: d.reason,
    items: d.items.map((i) => ({
      item_id: i.item_id,
      prompt: i.prompt,
      points_before: i.points_before,
      max_points: i.max_points,
      points_after: i.points_after,
    })),
    assignee_id: d.assignee_id,
    opened_at: d.opened_at,
    resolved_at: d.resolved_at,
    resolution_reason: d.resolution_reason,
    score_before: d.score_before,
    score_after: d.score_after,
  };
}

async function detailJson(deps: AppDeps, id: number) {
  return disputeJson(await disputeDetail(deps.db, id));
}

type Handler = (req: Request, res: Response) => Promise<void>;

const scorecardId = (req: Request) => idParam(req, 'scorecard');
const disputeId = (req: Request) => idParam(req, 'dispute');

function open(deps: AppDeps): Handler {
  return async (req, res) => {
    const dispute = await openDispute(deps, actorOf(req), scorecardId(req), formBody(req), clientIp(req));
    res.status(201).json(await detailJson(deps, dispute.id));
  };
}

function ofScorecard(deps: AppDeps): Handler {
  return async (req, res) => {
    const evaluation = await visibleEvaluationOr404(deps.db, actorOf(req), scorecardId(req));
    const rows = await withItems(deps.db, await disputesOfEvaluation(deps.db, evaluation.id));
    res.json({ items: rows.map(disputeJson), next_cursor: null });
  };
}

/** Routes under /api/v1/evaluations/:id: the CSR opens a dispute; anyone who sees the scorecard lists them. */
export function evaluationDisputesApiRoutes(deps: AppDeps): Router {
  const router = Router();
  router.post('/:id/disputes', open(deps));
  router.get('/:id/disputes', ofScorecard(deps));
  return router;
}

function list(deps: AppDeps): Handler {
  return async (req, res) => {
    const query = parseInput(disputeListSchema, req.query);
    const actor = actorOf(req);
    const rows = await listDisputes(deps.db, {
      scope: await teamScope(deps.db, actor),
      assigneeId: actor.id,
      statuses: query.status ? [query.status] : undefined,
      ...openedIn(query),
      beforeId: query.cursor,
      limit: query.limit + 1,
    });
    const { items, last } = keysetPage(rows, query.limit);
    res.json({
      items: (await withItems(deps.db, items)).map(disputeJson),
      next_cursor: last ? String(last.id) : null,
    });
  };
}

function show(deps: AppDeps): Handler {
  return async (req, res) => {
    const dispute = await visibleDisputeOr404(deps.db, actorOf(req), disputeId(req));
    res.json(await detailJson(deps, dispute.id));
  };
}

function uphold(deps: AppDeps): Handler {
  return async (req, res) => {
    const dispute = await upholdDispute(deps, actorOf(req), disputeId(req), formBody(req), clientIp(req));
    res.json(await detailJson(deps, dispute.id));
  };
}

function rescore(deps: AppDeps): Handler {
  return async (req, res) => {
    const { dispute, outcome } = await rescoreDispute(deps, actorOf(req), disputeId(req), formBody(req), clientIp(req));
    res.json({
      dispute: await detailJson(deps, dispute.id),
      evaluation: evaluationJson(outcome.evaluation, { coachingTaskId: outcome.coachingTaskId }),
    });
  };
}

/** Routes under /api/v1/disputes: the reviewers' queue and decisions. */
export function disputesApiRoutes(deps: AppDeps): Router {
  const router = Router();
  const staff = requireRole(...STAFF_ROLES);
  router.get('/', staff, list(deps));
  router.get('/:id', show(deps));
  router.post('/:id/uphold', staff, uphold(deps));
  router.post('/:id/rescore', staff, rescore(deps));
  return router;
}
