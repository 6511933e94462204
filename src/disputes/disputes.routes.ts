import { Router, type Request, type Response } from 'express';
import { requireSignedIn } from '../auth';
import type { AppDeps } from '../deps';
import { visibleEvaluationOr404 } from '../policy';
import { answersFromForm, evaluationView } from '../evaluations';
import { answersOf } from '../evaluations';
import { AppError, NotFound, Validation } from '../lib/errors';
import { clientIp, flash } from '../lib/http';
import { parseIdParam, parseInput } from '../lib/validation';
import { actorOf, requireRole, STAFF_ROLES, teamScope } from '../policy';
import { loadRubric } from '../rubrics';
import { formatScore } from '../scoring';
import { answerLabel } from '../calibration';
import { disputeWithNames, listDisputes } from './disputes.queries';
import { disputeReport } from './disputes.report';
import { disputeReportSchema } from './disputes.schemas';
import { canResolve, openDispute, rescoreDispute, upholdDispute, visibleDisputeOr404 } from './disputes.service';
import { disputableItemIds, disputePanel, withItems } from './disputes.view';

function numberParam(req: Request, what: string): number {
  const id = parseIdParam(req.params.id);
  if (id === null) throw new NotFound(`No such ${what}.`);
  return id;
}

function body(req: Request): Record<string, unknown> {
  return (req.body ?? {}) as Record<string, unknown>;
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

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

export function disputeRoutes(deps: AppDeps): Router {
  const router = Router();
  const staff = requireRole(...STAFF_ROLES);

  // ---- The CSR's side: dispute items of a released scorecard.

  async function renderNew(req: Request, res: Response, id: number, status = 200, errors: Record<string, string> = {}) {
    const actor = actorOf(req);
    const evaluation = await visibleEvaluationOr404(deps.db, actor, id);
    const panel = await disputePanel(deps, actor, evaluation);
    if (!panel.isOwner) throw new NotFound('No such scorecard.');
    if (!panel.canOpen) {
      flash(req, 'error', panel.refusal ?? 'This scorecard cannot be disputed now.');
      return res.redirect(303, `/evaluations/${id}`);
    }
    const view = await evaluationView(deps.db, evaluation);
    const posted = status === 200 ? null : body(req);
    const chosen = posted ? ([] as unknown[]).concat(posted.item_ids ?? []).map(String) : [];
    res.status(status).render('disputes/new', {
      title: 'Dispute a scorecard',
      ...view,
      panel,
      disputable: await disputableItemIds(deps.db, evaluation.id),
      chosen,
      reason: posted && typeof posted.reason === 'string' ? posted.reason : '',
      answerLabel,
      errors,
    });
  }

  router.get('/evaluations/:id/dispute', requireSignedIn, async (req, res) =>
    renderNew(req, res, numberParam(req, 'scorecard')),
  );

  router.post('/evaluations/:id/dispute', requireSignedIn, async (req, res) => {
    const id = numberParam(req, 'scorecard');
    const form = body(req);
    try {
      const dispute = await openDispute(
        deps,
        actorOf(req),
        id,
        { item_ids: form.item_ids, reason: form.reason },
        clientIp(req),
      );
      const count = (
        await deps.db.selectFrom('dispute_items').select('item_id').where('dispute_id', '=', dispute.id).execute()
      ).length;
      flash(
        req,
        'success',
        `Dispute sent: ${count} item${count === 1 ? '' : 's'} in review. You will see the outcome on this scorecard.`,
      );
      res.redirect(303, `/evaluations/${id}`);
    } catch (err) {
      if (err instanceof Validation) {
        const errors = err.byField();
        for (const path of Object.keys(errors)) if (path.startsWith('item_ids.')) errors.item_ids ??= errors[path];
        return renderNew(req, res, id, 422, errors);
      }
      if (!(err instanceof AppError && err.status === 409)) throw err;
      flash(req, 'error', err.message);
      res.redirect(303, `/evaluations/${id}`);
    }
  });

  // ---- The reviewer's side: the queue, one dispute, uphold or rescore, and the report.

  router.get('/disputes', staff, async (req, res) => {
    const actor = actorOf(req);
    const disputes = await withItems(
      deps.db,
      await listDisputes(deps.db, {
        scope: await teamScope(deps.db, actor),
        assigneeId: actor.id,
        statuses: ['open'],
        limit: 200,
      }),
    );
    res.render('disputes/queue', {
      title: 'Disputes',
      mine: disputes.filter((d) => d.assignee_id === actor.id),
      others: disputes.filter((d) => d.assignee_id !== actor.id),
      now: deps.clock.now().toISOString(),
    });
  });

  router.get('/disputes/report', staff, async (req, res) => {
    const raw = { from: blankToUndefined(req.query.from), to: blankToUndefined(req.query.to) };
    const filter = parseInput(disputeReportSchema, raw);
    const report = await disputeReport(deps, actorOf(req), filter);
    res.render('disputes/report', {
      title: 'Dispute report',
      ...report,
      filter: { from: filter.from ?? '', to: filter.to ?? '' },
    });
  });

  async function renderDispute(
    req: Request,
    res: Response,
    id: number,
    status = 200,
    errors: Record<string, string> = {},
  ) {
    const actor = actorOf(req);
    const dispute = await visibleDisputeOr404(deps.db, actor, id);
    if (actor.role === 'csr') return res.redirect(303, `/evaluations/${dispute.evaluation_id}`);
    const [detail] = await withItems(deps.db, [(await disputeWithNames(deps.db, id))!]);
    const evaluation = await visibleEvaluationOr404(deps.db, actor, dispute.evaluation_id);
    const [rubric, answers] = await Promise.all([
      loadRubric(deps.db, evaluation.rubric_id),
      answersOf(deps.db, evaluation.id),
    ]);
    const items = new Map(rubric!.sections.flatMap((sec) => sec.items).map((i) => [i.id, i]));
    const now = new Map(
      answers.map((a) => [a.item_id, { label: answerLabel(items.get(a.item_id)!, a.value), comment: a.comment }]),
    );
    const posted = status === 200 ? null : body(req);
    res.status(status).render('disputes/show', {
      title: `Dispute: call ${detail.external_id}`,
      dispute: detail,
      answersNow: now,
      canResolve: dispute.status === 'open' && (await canResolve(deps.db, actor, dispute)),
      reason: posted && typeof posted.reason === 'string' ? posted.reason : '',
      errors,
      formatScore,
    });
  }

  router.get('/disputes/:id', staff, async (req, res) => renderDispute(req, res, numberParam(req, 'dispute')));

  router.post('/disputes/:id/uphold', staff, async (req, res) => {
    const id = numberParam(req, 'dispute');
    try {
      await upholdDispute(deps, actorOf(req), id, { reason: body(req).reason }, clientIp(req));
      flash(req, 'success', 'Dispute decided: the scores stand. The CSR sees your reason on the scorecard.');
      res.redirect(303, `/disputes/${id}`);
    } catch (err) {
      if (err instanceof Validation) return renderDispute(req, res, id, 422, err.byField());
      if (!(err instanceof AppError && err.status === 409)) throw err;
      flash(req, 'error', err.message);
      res.redirect(303, `/disputes/${id}`);
    }
  });

  async function renderRescore(
    req: Request,
    res: Response,
    id: number,
    status = 200,
    errors: Record<string, string> = {},
  ) {
    const actor = actorOf(req);
    const dispute = await visibleDisputeOr404(deps.db, actor, id);
    if (!(await canResolve(deps.db, actor, dispute)) || dispute.status !== 'open')
      return res.redirect(303, `/disputes/${id}`);
    const evaluation = await visibleEvaluationOr404(deps.db, actor, dispute.evaluation_id);
    const view = await evaluationView(deps.db, evaluation);
    res.status(status).render('evaluations/score', {
      title: 'Rescore a disputed scorecard',
      ...view,
      mode: 'rescore',
      errors,
      posted: status === 200 ? null : body(req),
      formAction: `/disputes/${id}/rescore`,
      backUrl: `/disputes/${id}`,
      backLabel: 'The dispute',
      reasonLabel: 'Your answer to the dispute',
      reasonHint: 'the CSR sees it with the outcome',
    });
  }

  router.get('/disputes/:id/rescore', staff, async (req, res) => renderRescore(req, res, numberParam(req, 'dispute')));

  router.post('/disputes/:id/rescore', staff, async (req, res) => {
    const id = numberParam(req, 'dispute');
    const actor = actorOf(req);
    const dispute = await visibleDisputeOr404(deps.db, actor, id);
    const rubric = (await loadRubric(
      deps.db,
      (await visibleEvaluationOr404(deps.db, actor, dispute.evaluation_id)).rubric_id,
    ))!;
    const form = body(req);
    const answers = answersFromForm(rubric, form);
    try {
      await rescoreDispute(
        deps,
        actor,
        id,
        {
          answers,
          comment: form.comment,
          reason: form.reason,
          revision: form.revision,
          time_spent_s: form.time_spent_s || 0,
        },
        clientIp(req),
      );
      flash(req, 'success', 'Scorecard rescored and dispute decided. The CSR is asked to acknowledge it again.');
      res.redirect(303, `/evaluations/${dispute.evaluation_id}`);
    } catch (err) {
      if (!(err instanceof Validation) && !(err instanceof AppError && err.status === 409)) throw err;
      if (err.code === 'dispute_resolved') flash(req, 'error', err.message);
      const errors = err instanceof Validation ? itemErrors(err, answers) : { _form: err.message };
      await renderRescore(req, res, id, err.status, { ...errors, _form: errors._form ?? err.message });
    }
  });

  return router;
}
