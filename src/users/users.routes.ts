import { Router, type Request, type Response } from 'express';
import { requireSignedIn } from '../auth';
import type { AppDeps } from '../deps';
import { AppError, NotFound, Validation } from '../lib/errors';
import { clientIp, flash, pickFields } from '../lib/http';
import { parseIdParam } from '../lib/validation';
import { listTeams, listDepartments } from '../org';
import { actorOf, requireRole, teamScope, visibleUserOr404 } from '../policy';
import { ROLES } from './users.schemas';
import { findUserById, listPeople } from './users.queries';
import { createUser, updateUser } from './users.service';

const CREATE_FIELDS = ['username', 'display_name', 'password', 'role', 'team_id', 'department_id'] as const;
const EDIT_FIELDS = ['display_name', 'role', 'team_id'] as const;

function idParam(req: Request): number {
  const id = parseIdParam(req.params.id);
  if (id === null) throw new NotFound('No such person.');
  return id;
}

function formErrors(err: unknown): Record<string, string> | null {
  if (err instanceof Validation) return err.byField();
  if (err instanceof AppError && err.status === 409) return { username: err.message, _form: err.message };
  return null;
}

function listFilter(req: Request) {
  const role =
    typeof req.query.role === 'string' && (ROLES as readonly string[]).includes(req.query.role) ? req.query.role : '';
  const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 100) : '';
  return { role: role as (typeof ROLES)[number] | '', q, inactive: req.query.inactive === '1' };
}

export function userAdminRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use('/admin/users', requireRole('admin'));

  async function renderNew(
    res: Response,
    status: number,
    values: Record<string, unknown>,
    errors: Record<string, string>,
  ) {
    const [teams, departments] = await Promise.all([listTeams(deps.db), listDepartments(deps.db)]);
    res.status(status).render('users/new', { title: 'New person', values, errors, teams, departments, roles: ROLES });
  }

  async function renderEdit(
    res: Response,
    status: number,
    userId: number,
    errors: Record<string, string>,
    values?: Record<string, unknown>,
  ) {
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

  router.get('/admin/users', async (req, res) => {
    const filter = listFilter(req);
    const people = await listPeople(deps.db, {
      scope: { all: true },
      role: filter.role || undefined,
      q: filter.q || undefined,
      includeInactive: filter.inactive,
    });
    res.render('users/list', { title: 'People', people, filter, roles: ROLES });
  });

  router.get('/admin/users/new', async (_req, res) => renderNew(res, 200, { role: 'csr' }, {}));

  router.post('/admin/users', async (req, res) => {
    const values = pickFields(req.body, CREATE_FIELDS);
    try {
      const user = await createUser(deps, actorOf(req), values, clientIp(req));
      flash(req, 'success', `${user.display_name} (${user.username}) was added.`);
      res.redirect(303, '/admin/users');
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      await renderNew(res, (err as AppError).status, { ...values, password: '' }, errors);
    }
  });

  router.get('/admin/users/:id', async (req, res) => renderEdit(res, 200, idParam(req), {}));

  router.post('/admin/users/:id', async (req, res) => {
    const id = idParam(req);
    const values = pickFields(req.body, EDIT_FIELDS);
    try {
      await updateUser(deps, actorOf(req), id, values, clientIp(req));
      flash(req, 'success', 'Changes saved.');
      res.redirect(303, `/admin/users/${id}`);
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      await renderEdit(res, (err as AppError).status, id, errors, values);
    }
  });

  router.post('/admin/users/:id/password', async (req, res) => {
    const id = idParam(req);
    try {
      const { password } = pickFields(req.body, ['password']);
      if (typeof password !== 'string' || password === '') {
        throw new Validation([{ path: 'password', message: 'Enter the new password.' }]);
      }
      await updateUser(deps, actorOf(req), id, { password }, clientIp(req));
      flash(req, 'success', 'Password reset. Their sessions were ended; give them the new password.');
      res.redirect(303, `/admin/users/${id}`);
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      await renderEdit(res, (err as AppError).status, id, errors);
    }
  });

  router.post('/admin/users/:id/active', async (req, res) => {
    const id = idParam(req);
    const active = (req.body as Record<string, unknown>).active === '1';
    try {
      await updateUser(deps, actorOf(req), id, { active }, clientIp(req));
      flash(req, 'success', active ? 'Account enabled.' : 'Account disabled and signed out everywhere.');
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500 || err.status === 404) throw err;
      flash(req, 'error', err.message);
    }
    res.redirect(303, `/admin/users/${id}`);
  });

  return router;
}

/** Managers and supervisors: the people in their scope. */
export function peopleRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/people', requireRole('admin', 'manager', 'supervisor'));

  router.get('/people', async (req, res) => {
    const actor = actorOf(req);
    const filter = listFilter(req);
    const people = await listPeople(deps.db, {
      scope: await teamScope(deps.db, actor),
      role: filter.role || undefined,
      q: filter.q || undefined,
      includeInactive: false,
    });
    res.render('users/people', { title: 'People', people, filter, roles: ROLES });
  });

  // Anyone signed in may ask; anyone outside their scope is simply not found.
  router.get('/people/:id', requireSignedIn, async (req, res) => {
    const person = await visibleUserOr404(deps.db, actorOf(req), idParam(req));
    const team = person.team_id ? (await listTeams(deps.db, [person.team_id]))[0] : undefined;
    res.render('users/person', { title: person.display_name, person, team });
  });

  return router;
}
