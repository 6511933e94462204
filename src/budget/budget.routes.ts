import { Router, type Request, type RequestHandler } from 'express';
import type { AppDeps } from '../deps';
import { csvResponse } from '../lib/csv';
import { NotFound } from '../lib/errors';
import { idParam } from '../lib/forms';
import { parseIdParam } from '../lib/validation';
import { actorOf, budgetDepartmentIds, requireRole } from '../policy';
import { budgetStatus, departmentCharges, periodLabel } from './budget';
import { departmentsByName } from './budget.queries';

export function budgetRoutes(deps: AppDeps): Router {
  const router = Router();
  const managers = requireRole('admin', 'manager');
  router.get('/budget', managers, budgetPage(deps));
  router.get('/budget/:id/charges.csv', managers, chargesCsv(deps));
  return router;
}

/** The departments whose budgets the signed-in person sees, by name. */
async function visibleDepartments(deps: AppDeps, req: Request) {
  return departmentsByName(deps.db, await budgetDepartmentIds(deps.db, actorOf(req)));
}

/** The ?period= asked for: a year, quarter ("2026-Q4") or month ("2026-11"); anything else is no period. */
function periodParam(req: Request): string | undefined {
  const period = req.query.period;
  return typeof period === 'string' && /^\d{4}(-Q[1-4]|-\d{2})?$/.test(period) ? period : undefined;
}

function budgetPage(deps: AppDeps): RequestHandler {
  return async (req, res) => {
    const departments = await visibleDepartments(deps, req);
    const now = deps.clock.now();
    const statuses = await Promise.all(departments.map((d) => budgetStatus(deps.db, d, now)));
    const chosenId = parseIdParam(req.query.department_id) ?? departments[0]?.id;
    const chosen = departments.find((d) => d.id === chosenId);
    const period = periodParam(req);
    const charges = chosen ? await departmentCharges(deps.db, chosen.id, period) : [];
    res.render('budget/index', {
      title: 'Budget and spend',
      departments,
      statuses,
      chosen,
      charges,
      period,
      periodLabel,
    });
  };
}

function chargesCsv(deps: AppDeps): RequestHandler {
  return async (req, res) => {
    const id = idParam(req, 'department');
    const department = (await visibleDepartments(deps, req)).find((d) => d.id === id);
    if (!department) throw new NotFound('No such department.');
    const period = periodParam(req);
    const charges = await departmentCharges(deps.db, department.id, period);
    const name = `spend-${department.name.replace(/[^\w-]+/g, '-')}${period ? `-${period}` : ''}.csv`;
    const csv = csvResponse(res, name, [
      'date',
      'period',
      'kind',
      'description',
      'amount_cents',
      'amount',
      'over_budget',
      'by',
    ]);
    await csv.rows(
      charges.map((c) => [
        c.created_at,
        c.period_key,
        c.kind,
        c.description,
        c.total_cents,
        (c.total_cents / 100).toFixed(2),
        c.over_budget ? 'yes' : 'no',
        c.by_name,
      ]),
    );
    csv.end();
  };
}
