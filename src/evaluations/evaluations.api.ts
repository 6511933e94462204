import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import type { Evaluation } from '../db/schema';
import { formBody, idParam } from '../lib/forms';
import { clientIp } from '../lib/http';
import { parseInput } from '../lib/validation';
import { actorOf, requireRole, STAFF_ROLES, visibleEvaluationOr404 } from '../policy';
import type { ScoreResult } from '../scoring';
import { answersOf } from './evaluations.queries';
import { acknowledgeSchema, createEvaluationSchema, evaluationListSchema } from './evaluations.schemas';
import { acknowledgeEvaluation, releaseEvaluation, startAndSaveEvaluation } from './evaluations.service';
import { searchEvaluations } from './evaluations.list';

const scorecardId = (req: Request) => idParam(req, 'scorecard');

export function evaluationJson(
  evaluation: Evaluation,
  extra: { result?: ScoreResult; coachingTaskId?: number | null } = {},
) {
  return {
    id: evaluation.id,
    call_id: evaluation.call_id,
    rubric_id: evaluation.rubric_id,
    agent_id: evaluation.agent_id,
    evaluator_id: evaluation.evaluator_id,
    kind: evaluation.kind,
    status: evaluation.status,
    revision: evaluation.revision,
    score: evaluation.score,
    raw_score: evaluation.raw_score,
    passed: evaluation.passed === null ? null : evaluation.passed === 1,
    critical_failed: evaluation.critical_failed === 1,
    sections: JSON.parse(evaluation.section_scores) as unknown[],
    comment: evaluation.comment,
    time_spent_s: evaluation.time_spent_s,
    submitted_at: evaluation.submitted_at,
    released_at: evaluation.released_at,
    acknowledged_at: evaluation.acknowledged_at,
    ack_comment: evaluation.ack_comment,
    updated_at: evaluation.updated_at,
    ...(extra.coachingTaskId !== undefined ? { coaching_task_id: extra.coachingTaskId } : {}),
  };
}

type Handler = (req: Request, res: Response) => Promise<void>;

function create(deps: AppDeps): Handler {
  return async (req, res) => {
    const input = parseInput(createEvaluationSchema, req.body);
    const outcome = await startAndSaveEvaluation(deps, actorOf(req), input, clientIp(req));
    res.status(201).json(evaluationJson(outcome.evaluation, { coachingTaskId: outcome.coachingTaskId }));
  };
}

function list(deps: AppDeps): Handler {
  return async (req, res) => {
    const query = parseInput(evaluationListSchema, req.query);
    const page = await searchEvaluations(deps, actorOf(req), query);
    res.json({
      items: page.items.map((e) => ({
        id: e.id,
        call_id: e.call_id,
        rubric_id: e.rubric_id,
        rubric: `${e.rubric_name} v${e.rubric_version}`,
        agent: e.agent_username,
        status: e.status,
        score: e.score,
        passed: e.passed === null ? null : e.passed === 1,
        critical_failed: e.critical_failed === 1,
        submitted_at: e.submitted_at,
        released_at: e.released_at,
        acknowledged_at: e.acknowledged_at,
      })),
      next_cursor: page.nextBeforeId ? String(page.nextBeforeId) : null,
    });
  };
}

function show(deps: AppDeps): Handler {
  return async (req, res) => {
    const evaluation = await visibleEvaluationOr404(deps.db, actorOf(req), scorecardId(req));
    const answers = await answersOf(deps.db, evaluation.id);
    res.json({
      ...evaluationJson(evaluation),
      answers: answers.map((a) => ({
        item_id: a.item_id,
        value: a.value,
        points: a.points,
        max_points: a.max_points,
        comment: a.comment,
        at_s: a.at_s,
      })),
    });
  };
}

function release(deps: AppDeps): Handler {
  return async (req, res) => {
    res.json(evaluationJson(await releaseEvaluation(deps, actorOf(req), scorecardId(req), clientIp(req))));
  };
}

function acknowledge(deps: AppDeps): Handler {
  return async (req, res) => {
    const { comment } = parseInput(acknowledgeSchema, formBody(req));
    const evaluation = await acknowledgeEvaluation(deps, actorOf(req), scorecardId(req), comment, clientIp(req));
    res.json(evaluationJson(evaluation));
  };
}

export function evaluationsApiRoutes(deps: AppDeps): Router {
  const router = Router();
  const scorers = requireRole(...STAFF_ROLES);
  router.post('/', scorers, create(deps));
  router.get('/', list(deps));
  router.get('/:id', show(deps));
  router.post('/:id/release', scorers, release(deps));
  router.post('/:id/acknowledge', acknowledge(deps));
  return router;
}
