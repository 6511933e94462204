import { Router } from 'express';
import type { AppDeps } from '../deps';
import { NotFound } from '../lib/errors';
import { parseIdParam } from '../lib/validation';
import { csvCell } from '../lib/csv';
import { actorOf, managedDepartmentIds, requireRole } from '../policy';
import { budgetStatus, departmentCharges, periodLabel } from './budget';

export function budgetRoutes(deps: AppDeps): Router {
  const router = Router();
  const managers = requireRole('admin', 'manager');

  async function departmentsFor(actorId: number, role: string) {
    const ids = role === 'admin' ? null : await managedDepartmentIds(deps.db, actorId);
    let query = deps.db.selectFrom('departments').selectAll().orderBy('name');
    if (ids) query = query.where('id', 'in', ids.length ? ids : [-1]);
    return query.execute();
  }

  router.get('/budget', managers, async (req, res) => {
    const actor = actorOf(req);
    const departments = await departmentsFor(actor.id, actor.role);
    const now = deps.clock.now();
    const statuses = await Promise.all(departments.map((d) => budgetStatus(deps.db, d, now)));
    const chosenId = parseIdParam(req.query.department_id) ?? departments[0]?.id;
    const chosen = departments.find((d) => d.id === chosenId);
    const period =
      typeof req.query.period === 'string' && /^\d{4}(-Q[1-4]|-\d{2})?$/.test(req.query.period)
        ? req.query.period
        : undefined;
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
  });

  router.get('/budget/:id/charges.csv', managers, async (req, res) => {
    const actor = actorOf(req);
    const id = parseIdParam(req.params.id);
    const department = (await departmentsFor(actor.id, actor.role)).find((d) => d.id === id);
    if (!department) throw new NotFound('No such department.');
    const period =
      typeof req.query.period === 'string' && /^\d{4}(-Q[1-4]|-\d{2})?$/.test(req.query.period)
        ? req.query.period
        : undefined;
    const charges = await departmentCharges(deps.db, department.id, period);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.attachment(`spend-${department.name.replace(/[^\w-]+/g, '-')}${period ? `-${period}` : ''}.csv`);
    res.write('date,period,kind,description,amount_cents,amount,over_budget,by\n');
    for (const c of charges) {
      const row = [
        c.created_at,
        c.period_key,
        c.kind,
        c.description,
        c.total_cents,
        (c.total_cents / 100).toFixed(2),
        c.over_budget ? 'yes' : 'no',
        c.by_name,
      ];
      res.write(`${row.map(csvCell).join(',')}\n`);
    }
    res.end();
  });

  return router;
}
