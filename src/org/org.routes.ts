import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { NotFound } from '../lib/errors';
import type { FormAgain } from '../lib/form-again';
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

/** The org page; a refused new department or team form (`form`) is shown again with its values and errors. */
async function renderOrg(deps: AppDeps, res: Response, again: FormAgain & { form?: 'deptForm' | 'teamForm' } = {}) {
  const { status = 200, values = {}, errors = {}, form } = again;
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
    ...(form ? { [form]: { values, errors } } : {}),
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

/** What differs between departments and teams on the org page and on their own edit page. */
interface OrgUnit {
  /** The word in "No such …", and the flash messages' first word. */
  what: 'department' | 'team';
  label: 'Department' | 'Team';
  fields: readonly string[];
  /** The org page's form for a new one. */
  newForm: 'deptForm' | 'teamForm';
  render: (deps: AppDeps, res: Response, id: number, again?: FormAgain) => Promise<void>;
  save: (deps: AppDeps, req: Request, values: Record<string, unknown>, id?: number) => Promise<unknown>;
  /** Service field names the form spells otherwise. */
  formNames?: Record<string, string>;
}

const DEPARTMENT: OrgUnit = {
  what: 'department',
  label: 'Department',
  fields: DEPARTMENT_FIELDS,
  newForm: 'deptForm',
  render: renderDepartment,
  save: (deps, req, values, id) => saveDepartment(deps, actorOf(req), departmentInput(values), id, clientIp(req)),
  formNames: DEPARTMENT_FORM_NAMES,
};

const TEAM: OrgUnit = {
  what: 'team',
  label: 'Team',
  fields: TEAM_FIELDS,
  newForm: 'teamForm',
  render: renderTeam,
  save: (deps, req, values, id) => saveTeam(deps, actorOf(req), values, id, clientIp(req)),
};

function createUnit(unit: OrgUnit) {
  return async (deps: AppDeps, req: Request, res: Response) => {
    const values = pickFields(req.body, unit.fields);
    const created = `${unit.label} ${String(values.name)} created.`;
    await submitForm(
      async () => {
        await unit.save(deps, req, values);
        successRedirect(req, res, created, '/admin/org');
      },
      (status, errors) => renderOrg(deps, res, { status, values, errors, form: unit.newForm }),
      'name',
      unit.formNames,
    );
  };
}

function showUnit(unit: OrgUnit) {
  return (deps: AppDeps, req: Request, res: Response) => unit.render(deps, res, idParam(req, unit.what));
}

function editUnit(unit: OrgUnit) {
  return async (deps: AppDeps, req: Request, res: Response) => {
    const id = idParam(req, unit.what);
    const values = pickFields(req.body, unit.fields);
    const saved = `${unit.label} saved.`;
    await submitForm(
      async () => {
        await unit.save(deps, req, values, id);
        successRedirect(req, res, saved, '/admin/org');
      },
      (status, errors) => unit.render(deps, res, id, { status, values, errors }),
      'name',
      unit.formNames,
    );
  };
}

export function orgRoutes(deps: AppDeps): Router {
  const router = Router();
  const handle = withDeps(deps);
  router.use(['/admin/org', '/admin/departments', '/admin/teams'], requireRole('admin'));
  router.get('/admin/org', handle(showOrg));
  router.post('/admin/departments', handle(createUnit(DEPARTMENT)));
  router.post('/admin/teams', handle(createUnit(TEAM)));
  router.get('/admin/departments/:id', handle(showUnit(DEPARTMENT)));
  router.post('/admin/departments/:id', handle(editUnit(DEPARTMENT)));
  router.get('/admin/teams/:id', handle(showUnit(TEAM)));
  router.post('/admin/teams/:id', handle(editUnit(TEAM)));
  return router;
}
