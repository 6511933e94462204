import { Router, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { AppError, Conflict, NotFound, Validation } from '../lib/errors';
import type { FormAgain } from '../lib/form-again';
import { idParam, submitForm } from '../lib/forms';
import { clientIp, flash, pickFields, successRedirect, withDeps } from '../lib/http';
import { listTeams, listDepartments } from '../org';
import { actorOf, requireRole, requireSignedIn, teamScope, visibleUserOr404 } from '../policy';
import { ROLES } from './users.schemas';
import { findUserById, listPeople } from './users.queries';
import { createUser, EMAIL_TAKEN, EXTENSION_TAKEN, updateUser } from './users.service';

const CREATE_FIELDS = [
  'username',
  'display_name',
  'password',
  'role',
  'team_id',
  'department_id',
  'extension',
  'email',
] as const;
const EDIT_FIELDS = ['display_name', 'role', 'team_id', 'extension', 'email'] as const;
/** A username taken is shown beside the username field (and atop the form). */
const CONFLICT_FIELD = 'username';

/** On the forms an extension or email someone else has is shown beside its field, not the username's. */
async function extensionBesideField(save: () => Promise<void>): Promise<void> {
  try {
    await save();
  } catch (err) {
    if (err instanceof Conflict && err.code === EXTENSION_TAKEN) {
      throw new Validation([{ path: 'extension', message: err.message }], err.message);
    }
    if (err instanceof Conflict && err.code === EMAIL_TAKEN) {
      throw new Validation([{ path: 'email', message: err.message }], err.message);
    }
    throw err;
  }
}

function listFilter(req: Request) {
  const role =
    typeof req.query.role === 'string' && (ROLES as readonly string[]).includes(req.query.role) ? req.query.role : '';
  const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 100) : '';
  return { role: role as (typeof ROLES)[number] | '', q, inactive: req.query.inactive === '1' };
}

async function renderNew(deps: AppDeps, res: Response, { status = 200, values = {}, errors = {} }: FormAgain) {
  const [teams, departments] = await Promise.all([listTeams(deps.db), listDepartments(deps.db)]);
  res.status(status).render('users/new', { title: 'New person', values, errors, teams, departments, roles: ROLES });
}

async function renderEdit(deps: AppDeps, res: Response, userId: number, again: FormAgain = {}) {
  const { status = 200, values, errors = {} } = again;
  const person = await findUserById(deps.db, userId);
  if (!person) throw new NotFound('No such person.');
  const teams = await listTeams(deps.db);
  res.status(status).render('users/edit', {
    title: `Edit ${person.display_name}`,
    person,
    values: values ?? person,
    errors,
    teams,
    roles: ROLES,
  });
}

async function listUsers(deps: AppDeps, req: Request, res: Response) {
  const filter = listFilter(req);
  const people = await listPeople(deps.db, {
    scope: { all: true },
    role: filter.role || undefined,
    q: filter.q || undefined,
    includeInactive: filter.inactive,
  });
  res.render('users/list', { title: 'People', people, filter, roles: ROLES });
}

async function newUserForm(deps: AppDeps, _req: Request, res: Response) {
  await renderNew(deps, res, { values: { role: 'csr' } });
}

async function addUser(deps: AppDeps, req: Request, res: Response) {
  const values = pickFields(req.body, CREATE_FIELDS);
  await submitForm(
    () =>
      extensionBesideField(async () => {
        const user = await createUser(deps, actorOf(req), values, clientIp(req));
        successRedirect(req, res, `${user.display_name} (${user.username}) was added.`, '/admin/users');
      }),
    (status, errors) => renderNew(deps, res, { status, values: { ...values, password: '' }, errors }),
    CONFLICT_FIELD,
  );
}

async function editUserForm(deps: AppDeps, req: Request, res: Response) {
  await renderEdit(deps, res, idParam(req, 'person'));
}

async function editUser(deps: AppDeps, req: Request, res: Response) {
  const id = idParam(req, 'person');
  const values = pickFields(req.body, EDIT_FIELDS);
  await submitForm(
    () =>
      extensionBesideField(async () => {
        await updateUser(deps, actorOf(req), id, values, clientIp(req));
        successRedirect(req, res, 'Changes saved.', `/admin/users/${id}`);
      }),
    (status, errors) => renderEdit(deps, res, id, { status, errors, values }),
    CONFLICT_FIELD,
  );
}

async function resetPassword(deps: AppDeps, req: Request, res: Response) {
  const id = idParam(req, 'person');
  await submitForm(
    async () => {
      const { password } = pickFields(req.body, ['password']);
      if (typeof password !== 'string' || password === '') {
        throw new Validation([{ path: 'password', message: 'Enter the new password.' }]);
      }
      await updateUser(deps, actorOf(req), id, { password }, clientIp(req));
      const done = 'Password reset. Their sessions were ended; give them the new password.';
      successRedirect(req, res, done, `/admin/users/${id}`);
    },
    (status, errors) => renderEdit(deps, res, id, { status, errors }),
    CONFLICT_FIELD,
  );
}

async function setActive(deps: AppDeps, req: Request, res: Response) {
  const id = idParam(req, 'person');
  const active = (req.body as Record<string, unknown>).active === '1';
  try {
    await updateUser(deps, actorOf(req), id, { active }, clientIp(req));
    flash(req, 'success', active ? 'Account enabled.' : 'Account disabled and signed out everywhere.');
  } catch (err) {
    if (!(err instanceof AppError) || err.status >= 500 || err.status === 404) throw err;
    flash(req, 'error', err.message);
  }
  res.redirect(303, `/admin/users/${id}`);
}

export function userAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  const handle = withDeps(deps);
  router.use('/admin/users', requireRole('admin'));
  router.get('/admin/users', handle(listUsers));
  router.get('/admin/users/new', handle(newUserForm));
  router.post('/admin/users', handle(addUser));
  router.get('/admin/users/:id', handle(editUserForm));
  router.post('/admin/users/:id', handle(editUser));
  router.post('/admin/users/:id/password', handle(resetPassword));
  router.post('/admin/users/:id/active', handle(setActive));
  return router;
}

async function listPeopleInScope(deps: AppDeps, req: Request, res: Response) {
  const filter = listFilter(req);
  const people = await listPeople(deps.db, {
    scope: await teamScope(deps.db, actorOf(req)),
    role: filter.role || undefined,
    q: filter.q || undefined,
    includeInactive: false,
  });
  res.render('users/people', { title: 'People', people, filter, roles: ROLES });
}

async function showPerson(deps: AppDeps, req: Request, res: Response) {
  const person = await visibleUserOr404(deps.db, actorOf(req), idParam(req, 'person'));
  const team = person.team_id ? (await listTeams(deps.db, [person.team_id]))[0] : undefined;
  res.render('users/person', { title: person.display_name, person, team });
}

/** Managers and supervisors: the people in their scope. */
export function peopleRoutes(deps: AppDeps): Router {
  const router = Router();
  const handle = withDeps(deps);
  router.get('/people', requireRole('admin', 'manager', 'supervisor'), handle(listPeopleInScope));
  // Anyone signed in may ask; anyone outside their scope is simply not found.
  router.get('/people/:id', requireSignedIn, handle(showPerson));
  return router;
}
