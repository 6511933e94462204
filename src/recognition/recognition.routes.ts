import crypto from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { AppError, Validation } from '../lib/errors';
import type { FormAgain } from '../lib/form-again';
import { formList } from '../lib/form-list';
import { formBody } from '../lib/forms';
import { clientIp, flash } from '../lib/http';
import { PERIODS, periodRange, type Period } from '../lib/periods';
import { amountToCents } from '../org';
import { actorOf, managedDepartments, requireRole, STAFF_ROLES, teamScope } from '../policy';
import { getSettings } from '../settings';
import { departmentOptions } from './recognition.queries';
import { recordAward, topPerformers } from './recognition.service';

/** The recognition page: top performers of the period in the actor's teams, and the award form. */
async function renderPage(deps: AppDeps, req: Request, res: Response, again: FormAgain = {}) {
  const actor = actorOf(req);
  const period: Period = PERIODS.includes(req.query.period as Period) ? (req.query.period as Period) : 'this_month';
  const { recognition_min_evaluations: min, time_zone: timeZone } = await getSettings(deps.db);
  const range = periodRange(period, deps.clock.now(), timeZone);
  const scope = await teamScope(deps.db, actor);
  const teamIds = scope.all ? 'all' : scope.teamIds;
  const performers = await topPerformers(deps.db, { teamIds, from: range.from, to: range.to, minEvaluations: min });
  const departments = await departmentOptions(deps.db, await managedDepartments(deps.db, actor));
  res.status(again.status ?? 200).render('recognition/index', {
    title: 'Recognition',
    performers,
    period,
    periods: PERIODS,
    range,
    min,
    departments,
    errors: again.errors ?? {},
    values: again.values ?? {},
    idempotencyKey: crypto.randomBytes(16).toString('hex'),
  });
}

function awardInput(b: Record<string, unknown>) {
  const cents = amountToCents(typeof b.amount === 'string' && b.amount.trim() !== '' ? b.amount : '0');
  return {
    department_id: b.department_id,
    agent_ids: formList(b.agent_ids),
    title: b.title,
    note: b.note,
    amount_cents: typeof cents === 'number' ? cents : Number.NaN,
    override_budget: b.override_budget === 'on',
    idempotency_key: typeof b.idempotency_key === 'string' ? b.idempotency_key : undefined,
  };
}

function recognitionHandlers(deps: AppDeps) {
  return {
    page: (req: Request, res: Response) => renderPage(deps, req, res),

    async award(req: Request, res: Response) {
      const b = formBody(req);
      try {
        const award = await recordAward(deps, actorOf(req), awardInput(b), clientIp(req));
        flash(
          req,
          'success',
          award.created
            ? 'Award recorded and charged to the budget.'
            : 'That award was already recorded; nothing was charged twice.',
        );
        res.redirect(303, '/recognition');
      } catch (err) {
        if (!(err instanceof Validation) && !(err instanceof AppError && err.status === 409)) throw err;
        const errors = err instanceof Validation ? err.byField() : { _form: err.message };
        if (errors.amount_cents) errors.amount = errors.amount_cents;
        const values = { ...b, agent_ids: formList(b.agent_ids) };
        await renderPage(deps, req, res, { status: err.status, errors: { _form: err.message, ...errors }, values });
      }
    },
  };
}

export function recognitionRoutes(deps: AppDeps): Router {
  const router = Router();
  const handlers = recognitionHandlers(deps);
  router.get('/recognition', requireRole(...STAFF_ROLES), handlers.page);
  router.post('/recognition/awards', requireRole('admin', 'manager'), handlers.award);
  return router;
}
