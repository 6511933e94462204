import { Router, type NextFunction, type Request, type Response } from 'express';
import type { AppDeps } from '../deps';
import { AppError, NotFound, Unauthorized, Validation } from '../lib/errors';
import { idParam } from '../lib/forms';
import { clientIp, pickFields, successRedirect, withDeps, type PageRender } from '../lib/http';
import { actorOf, requireSignedIn } from '../policy';
import { hasSecondFactor } from '../mfa';
import { findUserById } from '../users';
import { changeOwnPassword } from './profile.service';
import { createToken, listTokens, revokeToken } from './tokens.service';

const renderProfile: PageRender<AppDeps> = async (deps, req, res, status = 200, extra = {}) => {
  const user = await findUserById(deps.db, actorOf(req).id);
  if (!user) throw new NotFound();
  const tokens = await listTokens(deps, user.id);
  res.status(status).render('profile/index', {
    title: 'Your profile',
    person: user,
    tokens,
    secondFactorOn: await hasSecondFactor(deps, user.id),
    newToken: null,
    passwordErrors: {},
    tokenErrors: {},
    tokenName: '',
    ...extra,
  });
};

async function showProfile(deps: AppDeps, req: Request, res: Response) {
  await renderProfile(deps, req, res);
}

async function changePassword(deps: AppDeps, req: Request, res: Response, next: NextFunction) {
  const user = req.user;
  if (!user) throw new Unauthorized();
  try {
    await changeOwnPassword(deps, user.id, pickFields(req.body, ['current_password', 'new_password']), clientIp(req));
  } catch (err) {
    if (!(err instanceof Validation)) throw err;
    return renderProfile(deps, req, res, 422, { passwordErrors: err.byField() });
  }
  // All sessions ended with the change; sign this browser back in on a fresh session.
  const startedAt = req.session.startedAt;
  req.login(user, (err) => {
    if (err) return next(err);
    req.session.startedAt = startedAt;
    successRedirect(req, res, 'Password changed. Other devices were signed out.', '/profile');
  });
}

async function addToken(deps: AppDeps, req: Request, res: Response) {
  const actor = actorOf(req);
  const values = pickFields(req.body, ['name']);
  try {
    const created = await createToken(deps, actor.id, values, clientIp(req));
    await renderProfile(deps, req, res, 201, { newToken: created });
  } catch (err) {
    if (!(err instanceof AppError) || (err.status !== 422 && err.status !== 409)) throw err;
    const errors = err instanceof Validation ? err.byField() : { name: err.message };
    await renderProfile(deps, req, res, err.status, { tokenErrors: errors, tokenName: values.name ?? '' });
  }
}

async function revokeOwnToken(deps: AppDeps, req: Request, res: Response) {
  await revokeToken(deps, actorOf(req).id, idParam(req, 'token'), clientIp(req));
  successRedirect(req, res, 'Token revoked.', '/profile');
}

export function profileRoutes(deps: AppDeps): Router {
  const router = Router();
  const handle = withDeps(deps);
  router.use('/profile', requireSignedIn);
  router.get('/profile', handle(showProfile));
  router.post('/profile/password', handle(changePassword));
  router.post('/profile/tokens', handle(addToken));
  router.post('/profile/tokens/:id/revoke', handle(revokeOwnToken));
  return router;
}
