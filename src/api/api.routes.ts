import { Router, type NextFunction, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import type { User } from '../db/schema';
import { analysisApiRoutes } from '../analysis';
import { authenticate, requireSignedIn, toSessionUser } from '../auth';
import { calibrationApiRoutes } from '../calibration';
import { callsApiRoutes } from '../imports';
import { coachingApiRoutes } from '../coaching';
import { disputesApiRoutes, evaluationDisputesApiRoutes } from '../disputes';
import { evaluationsApiRoutes, suggestionsApiRoutes } from '../evaluations';
import { NotFound } from '../lib/errors';
import { idParam } from '../lib/forms';
import { clientIp } from '../lib/http';
import { parseInput } from '../lib/validation';
import { findDepartment, findTeam, saveDepartment, saveTeam, teamSupervisorUsernames } from '../org';
import { actorOf, ownCharge, requireRole } from '../policy';
import { createToken, revokeToken } from '../profile';
import { reportsApiRoutes } from '../reports';
import { rubricsApiRoutes } from '../rubrics';
import { settingsApiRoutes } from '../settings';
import { trainingApiRoutes } from '../training';
import { totpApiRoutes } from '../mfa';
import { createUser, findUserById, updateUser } from '../users';
import { webhooksApiRoutes } from '../webhooks';
import {
  apiCreateUserSchema,
  apiDepartmentSchema,
  apiPatchUserSchema,
  apiTeamSchema,
  createTokenSchema,
} from './api.schemas';

type Handler = (req: Request, res: Response) => Promise<void>;

/** A person in the API: who they are in a session, and the fields only the API shows. */
export function userJson(user: User) {
  return {
    ...toSessionUser(user),
    extension: user.extension,
    email: user.email,
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

/** Something this request has just saved, read back; missing would be a fault of ours, not the client's. */
function saved<T>(row: T | undefined, what: string): T {
  if (row === undefined) throw new Error(`The ${what} just saved could not be read back.`);
  return row;
}

/** The API's own routes: tokens, the caller, and the org set-up an admin scripts. */
function ownHandlers(deps: AppDeps) {
  return {
    async createToken(req, res) {
      const input = parseInput(createTokenSchema, req.body);
      const user = await authenticate(deps, input.username, input.password, clientIp(req), input.totp);
      const created = await createToken(deps, user.id, { name: input.name }, clientIp(req));
      res.status(201).json({ id: created.id, token: created.token, name: created.name });
    },
    async revokeToken(req, res) {
      await revokeToken(deps, actorOf(req).id, idParam(req, 'token'), clientIp(req));
      res.status(204).end();
    },
    async me(req, res) {
      const user = await findUserById(deps.db, actorOf(req).id);
      if (!user) throw new NotFound();
      const team = user.team_id ? await findTeam(deps.db, user.team_id) : undefined;
      const charge = await ownCharge(deps.db, user);
      res.json({
        ...userJson(user),
        department_id: team?.department_id ?? null,
        supervised_team_ids: charge.supervisedTeamIds,
        managed_department_ids: charge.managedDepartmentIds,
      });
    },
    async createDepartment(req, res) {
      const input = parseInput(apiDepartmentSchema, req.body);
      const id = await saveDepartment(deps, actorOf(req), input, undefined, clientIp(req));
      res.status(201).json(saved(await findDepartment(deps.db, id), 'department'));
    },
    async createTeam(req, res) {
      const input = parseInput(apiTeamSchema, req.body);
      const id = await saveTeam(deps, actorOf(req), input, undefined, clientIp(req));
      const team = saved(await findTeam(deps.db, id), 'team');
      res.status(201).json({ ...team, supervisors: await teamSupervisorUsernames(deps.db, id) });
    },
    async createUser(req, res) {
      const input = parseInput(apiCreateUserSchema, req.body);
      res.status(201).json(userJson(await createUser(deps, actorOf(req), input, clientIp(req))));
    },
    async updateUser(req, res) {
      const id = idParam(req, 'user');
      const input = parseInput(apiPatchUserSchema, req.body);
      res.json(userJson(await updateUser(deps, actorOf(req), id, input, clientIp(req))));
    },
  } satisfies Record<string, Handler>;
}

export function apiRoutes(deps: AppDeps): Router {
  const router = Router();
  const own = ownHandlers(deps);
  const admin = requireRole('admin');

  router.post('/tokens', requireJson, own.createToken);

  router.use(requireSignedIn);
  router.use('/calls', analysisApiRoutes(deps));
  router.use('/calls', suggestionsApiRoutes(deps));
  router.use('/calls', callsApiRoutes(deps));
  router.use('/rubrics', requireJson, rubricsApiRoutes(deps));
  router.use('/evaluations', requireJson, evaluationsApiRoutes(deps));
  router.use('/evaluations', requireJson, evaluationDisputesApiRoutes(deps));
  router.use('/disputes', requireJson, disputesApiRoutes(deps));
  router.use('/calibration-sessions', requireJson, calibrationApiRoutes(deps));
  router.use('/coaching-tasks', requireJson, coachingApiRoutes(deps));
  router.use('/training', requireJson, trainingApiRoutes(deps));
  router.use('/reports', reportsApiRoutes(deps));
  router.use('/settings', requireJson, settingsApiRoutes(deps));
  router.use('/webhooks', requireJson, webhooksApiRoutes(deps));

  router.delete('/tokens/:id', own.revokeToken);
  router.get('/me', own.me);
  router.use('/me/totp', requireJson, totpApiRoutes(deps));
  router.post('/departments', admin, requireJson, own.createDepartment);
  router.post('/teams', admin, requireJson, own.createTeam);
  router.post('/users', admin, requireJson, own.createUser);
  router.patch('/users/:id', admin, requireJson, own.updateUser);

  router.use((_req: Request, _res: Response, next: NextFunction) => next(new NotFound('No such API route.')));
  return router;
}
