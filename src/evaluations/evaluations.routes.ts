import { Router, type Request, type Response } from 'express';
import { requireSignedIn } from '../auth';
import type { AppDeps } from '../deps';
import { AppError, NotFound, Validation } from '../lib/errors';
import { clientIp, flash } from '../lib/http';
import { parseIdParam, parseInput } from '../lib/validation';
import { actorOf, requireRole, STAFF_ROLES, teamScope } from '../policy';
import { publishedRubrics } from '../rubrics';
import { assignedPicks } from '../sampling';
import { visibleEvaluationOr404 } from '../policy';
import { answersFromForm, evaluationView } from './evaluation-view';
import { listEvaluations, unscoredCalls } from './evaluations.queries';
import {
  acknowledgeEvaluation,
  releaseEvaluation,
  rescoreEvaluation,
  saveEvaluation,
  startEvaluation,
} from './evaluations.service';
import { acknowledgeSchema } from './evaluations.schemas';
import { sessionOfEvaluation } from '../policy';
import { evaluationsInReview } from '../disputes';
import { disputePanel } from '../disputes';

function idParam(req: Request): number {
  const id = parseIdParam(req.params.id);
  if (id === null) throw new NotFound('No such scorecard.');
  return id;
}

/** Answer problems come back as answers.<index>.*; the form shows them beside items.<item id>. */
function itemErrors(err: Validation, answers: Array<{ item_id: number }>): Record<string, string> {
  const fields = err.byField();
  for (const [path, message] of Object.entries(fields)) {
    const match = /^answers\.(\d+)\./.exec(path);
    const answer = match ? answers[Number(match[1])] : undefined;
    if (answer) fields[`items.${answer.item_id}`] ??= message;
  }
  return fields;
}

function body(req: Request): Record<string, unknown> {
  return (req.body ?? {}) as Record<string, unknown>;
}

export function evaluationRoutes(deps: AppDeps): Router {
  const router = Router();
  const scorers = requireRole(...STAFF_ROLES);

  router.get('/evaluations', scorers, async (req, res) => {
    const actor = actorOf(req);
    const scope = await teamScope(deps.db, actor);
    const teamIds = scope.all ? ('all' as const) : scope.teamIds;
    const category = typeof req.query.category === 'string' ? req.query.category.slice(0, 100) : '';
    const [queue, drafts, submitted, pending, rubrics, assigned] = await Promise.all([
      unscoredCalls(deps.db, teamIds, 25, category || undefined),
      listEvaluations(deps.db, { teamIds, evaluatorId: actor.id, statuses: ['draft'], limit: 25 }),
      listEvaluations(deps.db, { teamIds, statuses: ['released', 'acknowledged'], limit: 15 }),
      listEvaluations(deps.db, { teamIds, statuses: ['submitted'], limit: 25 }),
      publishedRubrics(deps.db),
      assignedPicks(deps.db, actor.id, teamIds, deps.clock.now().toISOString()),
    ]);
    res.render('evaluations/queue', {
      title: 'Scoring',
      queue,
      drafts: drafts.items,
      submitted: submitted.items,
      pending: pending.items,
      rubrics,
      category,
      assigned,
    });
  });

  router.post('/evaluations/start', scorers, async (req, res) => {
    const { call_id: callId, rubric_id: rubricId } = body(req);
    const call = parseIdParam(callId);
    const rubric = parseIdParam(rubricId);
    if (call === null) throw new NotFound('No such call.');
    if (rubric === null) throw new Validation([{ path: 'rubric_id', message: 'Choose a rubric.' }]);
    const evaluation = await startEvaluation(deps, actorOf(req), call, rubric, clientIp(req));
    res.redirect(303, `/evaluations/${evaluation.id}/score`);
  });

  async function renderForm(
    req: Request,
    res: Response,
    id: number,
    mode: 'score' | 'rescore',
    status = 200,
    errors: Record<string, string> = {},
  ) {
    const evaluation = await visibleEvaluationOr404(deps.db, actorOf(req), id);
    if (actorOf(req).role === 'csr') throw new NotFound('No such scorecard.');
    if (mode === 'score' && evaluation.status !== 'draft') return res.redirect(303, `/evaluations/${id}`);
    if (mode === 'rescore' && evaluation.status === 'draft') return res.redirect(303, `/evaluations/${id}/score`);
    // Calibration scorecards are compared as given: there is no rescore form (a refused post still says why).
    if (mode === 'rescore' && evaluation.kind === 'calibration' && status === 200) {
      return res.redirect(303, `/evaluations/${id}`);
    }
    const view = await evaluationView(deps.db, evaluation);
    const posted = status === 200 ? null : body(req);
    res.status(status).render('evaluations/score', {
      title: mode === 'score' ? 'Score a call' : 'Rescore',
      ...view,
      mode,
      errors,
      posted,
    });
  }

  router.get('/evaluations/:id/score', scorers, async (req, res) => renderForm(req, res, idParam(req), 'score'));
  router.get('/evaluations/:id/rescore', scorers, async (req, res) => renderForm(req, res, idParam(req), 'rescore'));

  router.post('/evaluations/:id/score', scorers, async (req, res) => {
    const id = idParam(req);
    const evaluation = await visibleEvaluationOr404(deps.db, actorOf(req), id);
    const view = await evaluationView(deps.db, evaluation);
    const form = body(req);
    const submit = form.op === 'submit';
    try {
      const outcome = await saveEvaluation(
        deps,
        actorOf(req),
        id,
        {
          answers: answersFromForm(view.rubric, form),
          comment: form.comment,
          submit,
          revision: form.revision,
          time_spent_s: form.time_spent_s || 0,
        },
        clientIp(req),
      );
      if (!submit) {
        flash(req, 'success', 'Draft saved.');
        return res.redirect(303, `/evaluations/${id}/score`);
      }
      const released = outcome.evaluation.status === 'released';
      flash(
        req,
        'success',
        `Scorecard submitted${released ? ' and released to the CSR' : ''}.${outcome.coachingTaskId ? ' A coaching task was created.' : ''}`,
      );
      res.redirect(303, `/evaluations/${id}`);
    } catch (err) {
      if (!(err instanceof Validation) && !(err instanceof AppError && err.status === 409)) throw err;
      const errors =
        err instanceof Validation ? itemErrors(err, answersFromForm(view.rubric, form)) : { _form: err.message };
      await renderForm(req, res, id, 'score', err.status, { ...errors, _form: errors._form ?? err.message });
    }
  });

  // Autosave from the scoring page's script: JSON in, the new revision and live score out.
  router.put('/evaluations/:id/draft', scorers, async (req, res) => {
    const outcome = await saveEvaluation(
      deps,
      actorOf(req),
      idParam(req),
      { ...body(req), submit: false },
      clientIp(req),
    );
    res.json({
      revision: outcome.evaluation.revision,
      score: outcome.result.score,
      saved_at: outcome.evaluation.updated_at,
    });
  });

  router.post('/evaluations/:id/rescore', scorers, async (req, res) => {
    const id = idParam(req);
    const evaluation = await visibleEvaluationOr404(deps.db, actorOf(req), id);
    const view = await evaluationView(deps.db, evaluation);
    const form = body(req);
    try {
      await rescoreEvaluation(
        deps,
        actorOf(req),
        id,
        {
          answers: answersFromForm(view.rubric, form),
          comment: form.comment,
          reason: form.reason,
          revision: form.revision,
          time_spent_s: form.time_spent_s || 0,
        },
        clientIp(req),
      );
      flash(req, 'success', 'Scorecard rescored. The earlier revision is kept below.');
      res.redirect(303, `/evaluations/${id}`);
    } catch (err) {
      if (!(err instanceof Validation) && !(err instanceof AppError && err.status === 409)) throw err;
      const errors =
        err instanceof Validation ? itemErrors(err, answersFromForm(view.rubric, form)) : { _form: err.message };
      await renderForm(req, res, id, 'rescore', err.status, { ...errors, _form: errors._form ?? err.message });
    }
  });

  router.get('/evaluations/:id', requireSignedIn, async (req, res) => {
    const actor = actorOf(req);
    const evaluation = await visibleEvaluationOr404(deps.db, actor, idParam(req));
    if (evaluation.status === 'draft') return res.redirect(303, `/evaluations/${evaluation.id}/score`);
    if (evaluation.kind === 'calibration') {
      const session = await sessionOfEvaluation(deps.db, evaluation.id);
      if (!session) throw new NotFound('No such scorecard.');
      return res.redirect(303, `/calibration/${session.id}`);
    }
    const [view, disputes] = await Promise.all([
      evaluationView(deps.db, evaluation),
      disputePanel(deps, actor, evaluation),
    ]);
    res.render('evaluations/scorecard', { title: `Scorecard: ${view.call.external_id}`, ...view, disputes });
  });

  router.post('/evaluations/:id/release', scorers, async (req, res) => {
    const id = idParam(req);
    try {
      await releaseEvaluation(deps, actorOf(req), id, clientIp(req));
      flash(req, 'success', 'Released: the CSR can now see this scorecard.');
    } catch (err) {
      if (!(err instanceof AppError && err.status === 409)) throw err;
      flash(req, 'error', err.message);
    }
    res.redirect(303, `/evaluations/${id}`);
  });

  router.post('/evaluations/:id/acknowledge', requireSignedIn, async (req, res) => {
    const id = idParam(req);
    const { comment } = parseInput(acknowledgeSchema, { comment: body(req).comment });
    try {
      await acknowledgeEvaluation(deps, actorOf(req), id, comment, clientIp(req));
      flash(req, 'success', 'Thank you: scorecard acknowledged.');
    } catch (err) {
      if (!(err instanceof AppError && err.status === 409)) throw err;
      flash(req, 'error', err.message);
    }
    res.redirect(303, `/evaluations/${id}`);
  });

  router.get('/scorecards', requireRole('csr'), async (req, res) => {
    const actor = actorOf(req);
    const page = await listEvaluations(deps.db, {
      teamIds: 'all',
      agentId: actor.id,
      statuses: ['released', 'acknowledged'],
      limit: 100,
    });
    const inReview = await evaluationsInReview(
      deps.db,
      page.items.map((e) => e.id),
    );
    res.render('evaluations/mine', { title: 'My scorecards', items: page.items, inReview });
  });

  return router;
}
