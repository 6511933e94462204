import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { AppError, NotFound, Validation } from '../lib/errors';
import { clientIp, flash, pickFields } from '../lib/http';
import { parseIdParam } from '../lib/validation';
import { actorOf, requireRole } from '../policy';
import {
  findDepartment,
  findTeam,
  listDepartments,
  listTeams,
  teamSupervisorUsernames,
  usersByRole,
} from './org.queries';
import { amountToCents } from './org.schemas';
import { saveDepartment, saveTeam } from './org.service';

const DEPARTMENT_FIELDS = ['name', 'manager', 'budget', 'budget_period'] as const;
const TEAM_FIELDS = ['name', 'department_id', 'supervisors'] as const;

function idParam(req: Request, what: string): number {
  const id = parseIdParam(req.params.id);
  if (id === null) throw new NotFound(`No such ${what}.`);
  return id;
}

function formErrors(err: unknown): Record<string, string> | null {
  if (err instanceof Validation) {
    const fields = err.byField();
    if (fields.budget_cents) fields.budget = fields.budget_cents;
    return fields;
  }
  if (err instanceof AppError && err.status === 409) return { name: err.message };
  return null;
}

/** The department form takes the budget in currency units; the service and API take cents. */
function departmentInput(values: Record<string, unknown>) {
  return { ...values, budget_cents: amountToCents(values.budget ?? '0') };
}

export function orgRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use(['/admin/org', '/admin/departments', '/admin/teams'], requireRole('admin'));

  async function renderOrg(res: Response, status = 200, forms: Record<string, unknown> = {}) {
    const [departments, teams, managers, supervisors] = await Promise.all([
      listDepartments(deps.db),
      listTeams(deps.db),
      usersByRole(deps.db, 'manager'),
      usersByRole(deps.db, 'supervisor'),
    ]);
    res.status(status).render('org/index', {
      title: 'Departments and teams',
      departments,
      teams,
      managers,
      supervisors,
      deptForm: { values: { budget_period: 'quarter' }, errors: {} },
      teamForm: { values: {}, errors: {} },
      ...forms,
    });
  }

  router.get('/admin/org', async (_req, res) => renderOrg(res));

  router.post('/admin/departments', async (req, res) => {
    const values = pickFields(req.body, DEPARTMENT_FIELDS);
    try {
      await saveDepartment(deps, actorOf(req), departmentInput(values), undefined, clientIp(req));
      flash(req, 'success', `Department ${String(values.name)} created.`);
      res.redirect(303, '/admin/org');
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      await renderOrg(res, (err as AppError).status, { deptForm: { values, errors } });
    }
  });

  router.post('/admin/teams', async (req, res) => {
    const values = pickFields(req.body, TEAM_FIELDS);
    try {
      await saveTeam(deps, actorOf(req), values, undefined, clientIp(req));
      flash(req, 'success', `Team ${String(values.name)} created.`);
      res.redirect(303, '/admin/org');
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      await renderOrg(res, (err as AppError).status, { teamForm: { values, errors } });
    }
  });

  async function renderDepartment(
    res: Response,
    id: number,
    status = 200,
    values?: Record<string, unknown>,
    errors = {},
  ) {
    const department = await findDepartment(deps.db, id);
    if (!department) throw new NotFound('No such department.');
    const managers = await usersByRole(deps.db, 'manager');
    const manager = managers.find((m) => m.id === department.manager_id);
    const current = {
      ...department,
      manager: manager?.username ?? '',
      budget: (department.budget_cents / 100).toFixed(2),
    };
    res.status(status).render('org/department', {
      title: `Edit ${department.name}`,
      department,
      managers,
      values: values ?? current,
      errors,
    });
  }

  router.get('/admin/departments/:id', async (req, res) => renderDepartment(res, idParam(req, 'department')));

  router.post('/admin/departments/:id', async (req, res) => {
    const id = idParam(req, 'department');
    const values = pickFields(req.body, DEPARTMENT_FIELDS);
    try {
      await saveDepartment(deps, actorOf(req), departmentInput(values), id, clientIp(req));
      flash(req, 'success', 'Department saved.');
      res.redirect(303, '/admin/org');
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      await renderDepartment(res, id, (err as AppError).status, values, errors);
    }
  });

  async function renderTeam(res: Response, id: number, status = 200, values?: Record<string, unknown>, errors = {}) {
    const team = await findTeam(deps.db, id);
    if (!team) throw new NotFound('No such team.');
    const [departments, supervisors, current] = await Promise.all([
      listDepartments(deps.db),
      usersByRole(deps.db, 'supervisor'),
      teamSupervisorUsernames(deps.db, id),
    ]);
    res.status(status).render('org/team', {
      title: `Edit ${team.name}`,
      team,
      departments,
      supervisors,
      values: values ?? { ...team, supervisors: current },
      errors,
    });
  }

  router.get('/admin/teams/:id', async (req, res) => renderTeam(res, idParam(req, 'team')));

  router.post('/admin/teams/:id', async (req, res) => {
    const id = idParam(req, 'team');
    const values = pickFields(req.body, TEAM_FIELDS);
    try {
      await saveTeam(deps, actorOf(req), values, id, clientIp(req));
      flash(req, 'success', 'Team saved.');
      res.redirect(303, '/admin/org');
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      await renderTeam(res, id, (err as AppError).status, values, errors);
    }
  });

  return router;
}
