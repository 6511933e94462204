import { Router, type Request, type Response } from 'express';
import { requireSignedIn } from '../auth';
import type { AppDeps } from '../deps';
import { AppError, NotFound, Validation } from '../lib/errors';
import { clientIp, flash, pickFields } from '../lib/http';
import { parseIdParam } from '../lib/validation';
import { actorOf } from '../policy';
import { findUserById } from '../users';
import { changeOwnPassword } from './profile.service';
import { createToken, listTokens, revokeToken } from './tokens.service';

export function profileRoutes(deps: AppDeps): Router {
  const router = Router();
  router.use('/profile', requireSignedIn);

  async function renderProfile(req: Request, res: Response, status = 200, extra: Record<string, unknown> = {}) {
    const user = await findUserById(deps.db, actorOf(req).id);
    if (!user) throw new NotFound();
    const tokens = await listTokens(deps, user.id);
    res.status(status).render('profile/index', {
      title: 'Your profile',
      person: user,
      tokens,
      newToken: null,
      passwordErrors: {},
      tokenErrors: {},
      tokenName: '',
      ...extra,
    });
  }

  router.get('/profile', async (req, res) => renderProfile(req, res));

  router.post('/profile/password', async (req, res, next) => {
    const actor = actorOf(req);
    try {
      await changeOwnPassword(
        deps,
        actor.id,
        pickFields(req.body, ['current_password', 'new_password']),
        clientIp(req),
      );
    } catch (err) {
      if (!(err instanceof Validation)) throw err;
      return renderProfile(req, res, 422, { passwordErrors: err.byField() });
    }
    // All sessions ended with the change; sign this browser back in on a fresh session.
    const user = req.user!;
    const startedAt = req.session.startedAt;
    req.login(user, (err) => {
      if (err) return next(err);
      req.session.startedAt = startedAt;
      flash(req, 'success', 'Password changed. Other devices were signed out.');
      res.redirect(303, '/profile');
    });
  });

  router.post('/profile/tokens', async (req, res) => {
    const actor = actorOf(req);
    const values = pickFields(req.body, ['name']);
    try {
      const created = await createToken(deps, actor.id, values, clientIp(req));
      await renderProfile(req, res, 201, { newToken: created });
    } catch (err) {
      if (!(err instanceof AppError) || (err.status !== 422 && err.status !== 409)) throw err;
      const errors = err instanceof Validation ? err.byField() : { name: err.message };
      await renderProfile(req, res, err.status, { tokenErrors: errors, tokenName: values.name ?? '' });
    }
  });

  router.post('/profile/tokens/:id/revoke', async (req, res) => {
    const id = parseIdParam(req.params.id);
    if (id === null) throw new NotFound('No such token.');
    await revokeToken(deps, actorOf(req).id, id, clientIp(req));
    flash(req, 'success', 'Token revoked.');
    res.redirect(303, '/profile');
  });

  return router;
}
