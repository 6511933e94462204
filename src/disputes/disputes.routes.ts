import { Router, type Request, type Response } from 'express';
import { requireSignedIn } from '../auth';
import type { AppDeps } from '../deps';
import {
  answerLabel,
  answersOf,
  applyCommentDecisions,
  evaluationView,
  rubricOf,
  scoringFormErrors,
  scoringFormInput,
  staleComments,
  type StaleComment,
} from '../evaluations';
import { AppError, NotFound, Validation } from '../lib/errors';
import { formBody, idParam } from '../lib/forms';
import { clientIp, flash, refusalFlashed } from '../lib/http';
import { parseInput } from '../lib/validation';
import {
  actorOf,
  canResolveDispute,
  requireRole,
  reviewsDisputes,
  STAFF_ROLES,
  teamScope,
  visibleDisputeOr404,
  visibleEvaluationOr404,
} from '../policy';
import { formatScore } from '../scoring';
import { disputedItemIds, listDisputes } from './disputes.queries';
import { disputeReport } from './disputes.report';
import { disputeReportSchema } from './disputes.schemas';
import { openDispute, rescoreDispute, upholdDispute } from './disputes.service';
import { disputableItemIds, disputeDetail, disputePanel, withItems } from './disputes.view';

type Handler = (req: Request, res: Response) => Promise<void>;
type Refused = { status: number; errors: Record<string, string> };

const scorecardId = (req: Request) => idParam(req, 'scorecard');
const disputeId = (req: Request) => idParam(req, 'dispute');
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const postedReason = (req: Request, refused?: Refused) => {
  const reason = refused ? formBody(req).reason : undefined;
  return typeof reason === 'string' ? reason : '';
};

// ---- The CSR's side: dispute items of a released scorecard.

async function renderNew(deps: AppDeps, req: Request, res: Response, refused?: Refused): Promise<void> {
  const actor = actorOf(req);
  const id = scorecardId(req);
  const evaluation = await visibleEvaluationOr404(deps.db, actor, id);
  const panel = await disputePanel(deps, actor, evaluation);
  if (!panel.isOwner) throw new NotFound('No such scorecard.');
  if (!panel.canOpen) {
    flash(req, 'error', panel.refusal ?? 'This scorecard cannot be disputed now.');
    return res.redirect(303, `/evaluations/${id}`);
  }
  const view = await evaluationView(deps.db, evaluation);
  const posted = refused ? formBody(req) : null;
  res.status(refused?.status ?? 200).render('disputes/new', {
    title: 'Dispute a scorecard',
    ...view,
    panel,
    disputable: await disputableItemIds(deps.db, evaluation.id),
    chosen: posted ? ([] as unknown[]).concat(posted.item_ids ?? []).map(String) : [],
    reason: postedReason(req, refused),
    answerLabel,
    errors: refused?.errors ?? {},
  });
}

function newDisputeForm(deps: AppDeps): Handler {
  return (req, res) => renderNew(deps, req, res);
}

function openFromForm(deps: AppDeps): Handler {
  return async (req, res) => {
    const id = scorecardId(req);
    const form = formBody(req);
    try {
      await refusalFlashed(req, async () => {
        const input = { item_ids: form.item_ids, reason: form.reason };
        const dispute = await openDispute(deps, actorOf(req), id, input, clientIp(req));
        const count = (await disputedItemIds(deps.db, dispute.id)).length;
        flash(
          req,
          'success',
          `Dispute sent: ${count} item${count === 1 ? '' : 's'} in review. You will see the outcome on this scorecard.`,
        );
      });
    } catch (err) {
      if (!(err instanceof Validation)) throw err;
      const errors = err.byField();
      for (const [path, message] of Object.entries(errors))
        if (path.startsWith('item_ids.')) errors.item_ids ??= message;
      return renderNew(deps, req, res, { status: 422, errors });
    }
    res.redirect(303, `/evaluations/${id}`);
  };
}

// ---- The reviewer's side: the queue, one dispute, uphold or rescore, and the report.

function reviewQueue(deps: AppDeps): Handler {
  return async (req, res) => {
    const actor = actorOf(req);
    const scope = await teamScope(deps.db, actor);
    const open = await listDisputes(deps.db, { scope, assigneeId: actor.id, statuses: ['open'], limit: 200 });
    const disputes = await withItems(deps.db, open);
    res.render('disputes/queue', {
      title: 'Disputes',
      mine: disputes.filter((d) => d.assignee_id === actor.id),
      others: disputes.filter((d) => d.assignee_id !== actor.id),
      now: deps.clock.now().toISOString(),
    });
  };
}

function reportPage(deps: AppDeps): Handler {
  return async (req, res) => {
    const raw = { from: blankToUndefined(req.query.from), to: blankToUndefined(req.query.to) };
    const filter = parseInput(disputeReportSchema, raw);
    const report = await disputeReport(deps, actorOf(req), filter);
    res.render('disputes/report', {
      title: 'Dispute report',
      ...report,
      filter: { from: filter.from ?? '', to: filter.to ?? '' },
    });
  };
}

async function renderDispute(deps: AppDeps, req: Request, res: Response, refused?: Refused): Promise<void> {
  const actor = actorOf(req);
  const id = disputeId(req);
  const dispute = await visibleDisputeOr404(deps.db, actor, id);
  if (!reviewsDisputes(actor)) return res.redirect(303, `/evaluations/${dispute.evaluation_id}`);
  const detail = await disputeDetail(deps.db, id);
  const evaluation = await visibleEvaluationOr404(deps.db, actor, dispute.evaluation_id);
  const [rubric, answers] = await Promise.all([rubricOf(deps, evaluation), answersOf(deps.db, evaluation.id)]);
  const items = new Map(rubric.sections.flatMap((sec) => sec.items).map((i) => [i.id, i]));
  const answersNow = new Map(
    answers.flatMap((a) => {
      const item = items.get(a.item_id);
      return item ? [[a.item_id, { label: answerLabel(item, a.value), comment: a.comment }] as const] : [];
    }),
  );
  res.status(refused?.status ?? 200).render('disputes/show', {
    title: `Dispute: call ${detail.external_id}`,
    dispute: detail,
    answersNow,
    canResolve: dispute.status === 'open' && (await canResolveDispute(deps.db, actor, dispute)),
    reason: postedReason(req, refused),
    errors: refused?.errors ?? {},
    formatScore,
  });
}

function disputePage(deps: AppDeps): Handler {
  return (req, res) => renderDispute(deps, req, res);
}

function uphold(deps: AppDeps): Handler {
  return async (req, res) => {
    const id = disputeId(req);
    try {
      await refusalFlashed(req, async () => {
        await upholdDispute(deps, actorOf(req), id, { reason: formBody(req).reason }, clientIp(req));
        flash(req, 'success', 'Dispute decided: the scores stand. The CSR sees your reason on the scorecard.');
      });
    } catch (err) {
      if (!(err instanceof Validation)) throw err;
      return renderDispute(deps, req, res, { status: 422, errors: err.byField() });
    }
    res.redirect(303, `/disputes/${id}`);
  };
}

async function renderRescore(
  deps: AppDeps,
  req: Request,
  res: Response,
  refused?: Refused,
  stale: StaleComment[] = [],
): Promise<void> {
  const actor = actorOf(req);
  const id = disputeId(req);
  const dispute = await visibleDisputeOr404(deps.db, actor, id);
  if (!(await canResolveDispute(deps.db, actor, dispute)) || dispute.status !== 'open')
    return res.redirect(303, `/disputes/${id}`);
  const evaluation = await visibleEvaluationOr404(deps.db, actor, dispute.evaluation_id);
  const view = await evaluationView(deps.db, evaluation);
  res.status(refused?.status ?? 200).render('evaluations/score', {
    title: 'Rescore a disputed scorecard',
    ...view,
    mode: 'rescore',
    errors: refused?.errors ?? {},
    posted: refused ? formBody(req) : null,
    formAction: `/disputes/${id}/rescore`,
    backUrl: `/disputes/${id}`,
    backLabel: 'The dispute',
    reasonLabel: 'Your answer to the dispute',
    reasonHint: 'the CSR sees it with the outcome',
    answerLabel,
    staleComments: new Map(stale.map((c) => [c.item_id, c])),
  });
}

function rescoreForm(deps: AppDeps): Handler {
  return (req, res) => renderRescore(deps, req, res);
}

function rescoreFromForm(deps: AppDeps): Handler {
  return async (req, res) => {
    const id = disputeId(req);
    const actor = actorOf(req);
    const dispute = await visibleDisputeOr404(deps.db, actor, id);
    const evaluation = await visibleEvaluationOr404(deps.db, actor, dispute.evaluation_id);
    const form = formBody(req);
    const input = scoringFormInput(await rubricOf(deps, evaluation), form);
    const stale = await staleComments(deps.db, evaluation.id, input.answers);
    try {
      const answers = applyCommentDecisions(form, input.answers, stale);
      await rescoreDispute(deps, actor, id, { ...input, answers, reason: form.reason }, clientIp(req));
      flash(req, 'success', 'Scorecard rescored and dispute decided. The CSR is asked to acknowledge it again.');
      res.redirect(303, `/evaluations/${dispute.evaluation_id}`);
    } catch (err) {
      const refused = scoringFormErrors(err, input.answers);
      if (!refused) throw err;
      if (err instanceof AppError && err.code === 'dispute_resolved') flash(req, 'error', err.message);
      await renderRescore(deps, req, res, refused, stale);
    }
  };
}

export function disputeRoutes(deps: AppDeps): Router {
  const router = Router();
  const staff = requireRole(...STAFF_ROLES);
  router.get('/evaluations/:id/dispute', requireSignedIn, newDisputeForm(deps));
  router.post('/evaluations/:id/dispute', requireSignedIn, openFromForm(deps));
  router.get('/disputes', staff, reviewQueue(deps));
  router.get('/disputes/report', staff, reportPage(deps));
  router.get('/disputes/:id', staff, disputePage(deps));
  router.post('/disputes/:id/uphold', staff, uphold(deps));
  router.get('/disputes/:id/rescore', staff, rescoreForm(deps));
  router.post('/disputes/:id/rescore', staff, rescoreFromForm(deps));
  return router;
}
