import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { NotFound } from '../lib/errors';
import { idParam, submitForm } from '../lib/forms';
import { clientIp, pickFields, successRedirect, withDeps } from '../lib/http';
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
/** The department form's budget field is `budget` (currency units); the service names it `budget_cents`. */
const DEPARTMENT_FORM_NAMES = { budget_cents: 'budget' };

/** The department form takes the budget in currency units; the service and API take cents. */
function departmentInput(values: Record<string, unknown>) {
  return { ...values, budget_cents: amountToCents(values.budget ?? '0') };
}

/** A form shown again after its input was refused: the status, what was entered, and a message per field. */
interface FormAgain {
  status?: number;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
}

async function renderOrg(deps: AppDeps, res: Response, status = 200, forms: Record<string, unknown> = {}) {
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

async function renderDepartment(deps: AppDeps, res: Response, id: number, again: FormAgain = {}) {
  const department = await findDepartment(deps.db, id);
  if (!department) throw new NotFound('No such department.');
  const managers = await usersByRole(deps.db, 'manager');
  const manager = managers.find((m) => m.id === department.manager_id);
  const current = {
    ...department,
    manager: manager?.username ?? '',
    budget: (department.budget_cents / 100).toFixed(2),
  };
  res.status(again.status ?? 200).render('org/department', {
    title: `Edit ${department.name}`,
    department,
    managers,
    values: again.values ?? current,
    errors: again.errors ?? {},
  });
}

async function renderTeam(deps: AppDeps, res: Response, id: number, again: FormAgain = {}) {
  const team = await findTeam(deps.db, id);
  if (!team) throw new NotFound('No such team.');
  const [departments, supervisors, current] = await Promise.all([
    listDepartments(deps.db),
    usersByRole(deps.db, 'supervisor'),
    teamSupervisorUsernames(deps.db, id),
  ]);
  res.status(again.status ?? 200).render('org/team', {
    title: `Edit ${team.name}`,
    team,
    departments,
    supervisors,
    values: again.values ?? { ...team, supervisors: current },
    errors: again.errors ?? {},
  });
}

async function showOrg(deps: AppDeps, _req: Request, res: Response) {
  await renderOrg(deps, res);
}

async function createDepartment(deps: AppDeps, req: Request, res: Response) {
  const values = pickFields(req.body, DEPARTMENT_FIELDS);
  await submitForm(
    async () => {
      await saveDepartment(deps, actorOf(req), departmentInput(values), undefined, clientIp(req));
      successRedirect(req, res, `Department ${String(values.name)} created.`, '/admin/org');
    },
    (status, errors) => renderOrg(deps, res, status, { deptForm: { values, errors } }),
    'name',
    DEPARTMENT_FORM_NAMES,
  );
}

async function createTeam(deps: AppDeps, req: Request, res: Response) {
  const values = pickFields(req.body, TEAM_FIELDS);
  await submitForm(
    async () => {
      await saveTeam(deps, actorOf(req), values, undefined, clientIp(req));
      successRedirect(req, res, `Team ${String(values.name)} created.`, '/admin/org');
    },
    (status, errors) => renderOrg(deps, res, status, { teamForm: { values, errors } }),
    'name',
  );
}

async function showDepartment(deps: AppDeps, req: Request, res: Response) {
  await renderDepartment(deps, res, idParam(req, 'department'));
}

async function editDepartment(deps: AppDeps, req: Request, res: Response) {
  const id = idParam(req, 'department');
  const values = pickFields(req.body, DEPARTMENT_FIELDS);
  await submitForm(
    async () => {
      await saveDepartment(deps, actorOf(req), departmentInput(values), id, clientIp(req));
      successRedirect(req, res, 'Department saved.', '/admin/org');
    },
    (status, errors) => renderDepartment(deps, res, id, { status, values, errors }),
    'name',
    DEPARTMENT_FORM_NAMES,
  );
}

async function showTeam(deps: AppDeps, req: Request, res: Response) {
  await renderTeam(deps, res, idParam(req, 'team'));
}

async function editTeam(deps: AppDeps, req: Request, res: Response) {
  const id = idParam(req, 'team');
  const values = pickFields(req.body, TEAM_FIELDS);
  await submitForm(
    async () => {
      await saveTeam(deps, actorOf(req), values, id, clientIp(req));
      successRedirect(req, res, 'Team saved.', '/admin/org');
    },
    (status, errors) => renderTeam(deps, res, id, { status, values, errors }),
    'name',
  );
}

export function orgRoutes(deps: AppDeps): Router {
  const router = Router();
  const handle = withDeps(deps);
  router.use(['/admin/org', '/admin/departments', '/admin/teams'], requireRole('admin'));
  router.get('/admin/org', handle(showOrg));
  router.post('/admin/departments', handle(createDepartment));
  router.post('/admin/teams', handle(createTeam));
  router.get('/admin/departments/:id', handle(showDepartment));
  router.post('/admin/departments/:id', handle(editDepartment));
  router.get('/admin/teams/:id', handle(showTeam));
  router.post('/admin/teams/:id', handle(editTeam));
  return router;
}
