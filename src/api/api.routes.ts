import { Router, type NextFunction, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import type { User } from '../db/schema';
import { authenticate } from '../auth';
import { callsApiRoutes } from '../imports';
import { coachingApiRoutes } from '../coaching';
import { trainingApiRoutes } from '../training';
import { reportsApiRoutes } from '../reports';
import { evaluationsApiRoutes } from '../evaluations';
import { rubricsApiRoutes } from '../rubrics';
import { disputesApiRoutes, evaluationDisputesApiRoutes } from '../disputes';
import { calibrationApiRoutes } from '../calibration';
import { requireSignedIn } from '../auth';
import { NotFound } from '../lib/errors';
import { clientIp } from '../lib/http';
import { parseIdParam, parseInput } from '../lib/validation';
import { findDepartment, findTeam, teamSupervisorUsernames } from '../org';
import { saveDepartment, saveTeam } from '../org';
import { actorOf, managedDepartmentIds, requireRole, supervisedTeamIds } from '../policy';
import { createToken, revokeToken } from '../profile';
import { findUserById } from '../users';
import { createUser, updateUser } from '../users';
import {
  apiCreateUserSchema,
  apiDepartmentSchema,
  apiPatchUserSchema,
  apiTeamSchema,
  createTokenSchema,
} from './api.schemas';

export function userJson(user: User) {
  return {
    id: user.id,
    username: user.username,
    display_name: user.display_name,
    role: user.role,
    team_id: user.team_id,
    active: user.active === 1,
    created_at: user.created_at,
  };
}

/** Unsafe API requests carry JSON; anything else is refused before it is parsed. */
function requireJson(req: Request, _res: Response, next: NextFunction): void {
  // req.is() is null for a request without a body (e.g. POST …/release), false for the wrong type.
  const hasBody =
    req.headers['content-length'] !== '0' &&
    (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined);
  if (['POST', 'PATCH', 'PUT'].includes(req.method) && hasBody && !req.is('application/json')) {
    return next(
      Object.assign(new Error('Send JSON with Content-Type: application/json.'), { status: 415, expose: true }),
    );
  }
  next();
}

function idParam(req: Request): number {
  const id = parseIdParam(req.params.id);
  if (id === null) throw new NotFound();
  return id;
}

export function apiRoutes(deps: AppDeps): Router {
  const router = Router();

  router.post('/tokens', requireJson, async (req, res) => {
    const input = parseInput(createTokenSchema, req.body);
    const user = await authenticate(deps, input.username, input.password, clientIp(req));
    const created = await createToken(deps, user.id, { name: input.name }, clientIp(req));
    res.status(201).json({ id: created.id, token: created.token, name: created.name });
  });

  router.use(requireSignedIn);
  router.use('/calls', callsApiRoutes(deps));
  router.use('/rubrics', requireJson, rubricsApiRoutes(deps));
  router.use('/evaluations', requireJson, evaluationsApiRoutes(deps));
  router.use('/evaluations', requireJson, evaluationDisputesApiRoutes(deps));
  router.use('/disputes', requireJson, disputesApiRoutes(deps));
  router.use('/calibration-sessions', requireJson, calibrationApiRoutes(deps));
  router.use('/coaching-tasks', requireJson, coachingApiRoutes(deps));
  router.use('/training', requireJson, trainingApiRoutes(deps));
  router.use('/reports', reportsApiRoutes(deps));

  router.delete('/tokens/:id', async (req, res) => {
    await revokeToken(deps, actorOf(req).id, idParam(req), clientIp(req));
    res.status(204).end();
  });

  router.get('/me', async (req, res) => {
    const actor = actorOf(req);
    const user = await findUserById(deps.db, actor.id);
    if (!user) throw new NotFound();
    const team = user.team_id ? await findTeam(deps.db, user.team_id) : undefined;
    res.json({
      ...userJson(user),
      department_id: team?.department_id ?? null,
      supervised_team_ids: user.role === 'supervisor' ? await supervisedTeamIds(deps.db, user.id) : [],
      managed_department_ids: user.role === 'manager' ? await managedDepartmentIds(deps.db, user.id) : [],
    });
  });

  router.post('/departments', requireRole('admin'), requireJson, async (req, res) => {
    const input = parseInput(apiDepartmentSchema, req.body);
    const id = await saveDepartment(deps, actorOf(req), input, undefined, clientIp(req));
    const department = (await findDepartment(deps.db, id))!;
    res.status(201).json(department);
  });

  router.post('/teams', requireRole('admin'), requireJson, async (req, res) => {
    const input = parseInput(apiTeamSchema, req.body);
    const id = await saveTeam(deps, actorOf(req), input, undefined, clientIp(req));
    const team = (await findTeam(deps.db, id))!;
    res.status(201).json({ ...team, supervisors: await teamSupervisorUsernames(deps.db, id) });
  });

  router.post('/users', requireRole('admin'), requireJson, async (req, res) => {
    const input = parseInput(apiCreateUserSchema, req.body);
    const user = await createUser(deps, actorOf(req), input, clientIp(req));
    res.status(201).json(userJson(user));
  });

  router.patch('/users/:id', requireRole('admin'), requireJson, async (req, res) => {
    const id = idParam(req);
    const input = parseInput(apiPatchUserSchema, req.body);
    const user = await updateUser(deps, actorOf(req), id, input, clientIp(req));
    res.json(userJson(user));
  });

  router.use((_req: Request, _res: Response, next: NextFunction) => next(new NotFound('No such API route.')));
  return router;
}
