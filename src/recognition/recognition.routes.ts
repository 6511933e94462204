import crypto from 'node:crypto';
import { Router, type Request } from 'express';
import type { AppDeps } from '../deps';
import { AppError, Validation } from '../lib/errors';
import { clientIp, flash } from '../lib/http';
import { amountToCents } from '../org';
import { actorOf, managedDepartmentIds, requireRole, STAFF_ROLES, teamScope } from '../policy';
import { getSettings } from '../settings';
import { recordAward, topPerformers } from './recognition.service';
import { PERIODS, periodRange, type Period } from '../lib/periods';

function list(value: unknown): string[] {
  return (Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value]).map(String);
}

export function recognitionRoutes(deps: AppDeps): Router {
  const router = Router();

  async function render(
    req: Request,
    status = 200,
    errors: Record<string, string> = {},
    values: Record<string, unknown> = {},
  ) {
    const actor = actorOf(req);
    const period: Period = PERIODS.includes(req.query.period as Period) ? (req.query.period as Period) : 'this_month';
    const range = periodRange(period, deps.clock.now());
    const scope = await teamScope(deps.db, actor);
    const { recognition_min_evaluations: min } = await getSettings(deps.db);
    const performers = await topPerformers(deps.db, scope.all ? 'all' : scope.teamIds, range.from, range.to, min);
    const departmentIds =
      actor.role === 'admin' ? null : actor.role === 'manager' ? await managedDepartmentIds(deps.db, actor.id) : [];
    let departments = deps.db.selectFrom('departments').select(['id', 'name']).orderBy('name');
    if (departmentIds) departments = departments.where('id', 'in', departmentIds.length ? departmentIds : [-1]);
    return {
      status,
      locals: {
        title: 'Recognition',
        performers,
        period,
        periods: PERIODS,
        range,
        min,
        departments: await departments.execute(),
        errors,
        values,
        idempotencyKey: crypto.randomBytes(16).toString('hex'),
      },
    };
  }

  router.get('/recognition', requireRole(...STAFF_ROLES), async (req, res) => {
    const view = await render(req);
    res.status(view.status).render('recognition/index', view.locals);
  });

  router.post('/recognition/awards', requireRole('admin', 'manager'), async (req, res) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const cents = amountToCents(typeof b.amount === 'string' && b.amount.trim() !== '' ? b.amount : '0');
    try {
      const award = await recordAward(
        deps,
        actorOf(req),
        {
          department_id: b.department_id,
          agent_ids: list(b.agent_ids),
          title: b.title,
          note: b.note,
          amount_cents: typeof cents === 'number' ? cents : Number.NaN,
          override_budget: b.override_budget === 'on',
          idempotency_key: typeof b.idempotency_key === 'string' ? b.idempotency_key : undefined,
        },
        clientIp(req),
      );
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
      const view = await render(
        req,
        err.status,
        { _form: err.message, ...errors },
        { ...b, agent_ids: list(b.agent_ids) },
      );
      res.status(view.status).render('recognition/index', view.locals);
    }
  });

  return router;
}
