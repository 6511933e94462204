import { Router, type NextFunction, type Request, type Response } from 'express';
import type passport from 'passport';
import { recordAudit } from '../audit';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { TooManyRequests } from '../lib/errors';
import { clientIp } from '../lib/http';
import { SESSION_COOKIE } from './auth.middleware';
import { BAD_CREDENTIALS } from './auth.service';

/** Only same-site relative paths: never an open redirect to another host. */
function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[\w\-./?=&%]*$/.test(value) && !value.startsWith('/login')
    ? value
    : '/';
}

function renderLogin(res: Response, status: number, username: string, next: string, error?: string): void {
  res.status(status).render('auth/login', { title: 'Sign in', username, next, error });
}

export function authRoutes(deps: AppDeps, auth: passport.PassportStatic): Router {
  const router = Router();

  router.get('/login', (req, res) => {
    if (req.user) return res.redirect(303, '/');
    const expired = req.query.expired === '1' ? 'Your session has ended. Sign in again.' : undefined;
    renderLogin(res, 200, '', safeNext(req.query.next), expired);
  });

  router.post('/login', (req: Request, res: Response, next: NextFunction) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const username = typeof body.username === 'string' ? body.username.slice(0, 64) : '';
    const target = safeNext(body.next);
    if (!username || typeof body.password !== 'string' || body.password === '') {
      return renderLogin(res, 422, username, target, 'Enter your username and password.');
    }
    if (body.password.length > 1024 || String(body.username).length > 64) {
      return renderLogin(res, 401, username, target, BAD_CREDENTIALS);
    }
    auth.authenticate('local', (err: unknown, user: Express.User | false) => {
      if (err instanceof TooManyRequests) {
        res.setHeader('Retry-After', String(err.retryAfterSeconds));
        return renderLogin(res, 429, username, target, err.message);
      }
      if (err) return next(err);
      if (!user) return renderLogin(res, 401, username, target, BAD_CREDENTIALS);
      // req.login regenerates the session id, so a fixated pre-login cookie is worthless.
      req.login(user, (loginErr) => {
        if (loginErr) return next(loginErr);
        req.session.startedAt = deps.clock.now().getTime();
        recordAudit(deps.db, isoNow(deps.clock), { actorId: user.id, action: 'login', ip: clientIp(req) }).then(
          () => res.redirect(303, target),
          next,
        );
      });
    })(req, res, next);
  });

  router.post('/logout', (req, res, next) => {
    const userId = req.user?.id ?? null;
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy((destroyErr) => {
        if (destroyErr) return next(destroyErr);
        res.clearCookie(SESSION_COOKIE);
        recordAudit(deps.db, isoNow(deps.clock), { actorId: userId, action: 'logout', ip: clientIp(req) }).then(
          () => res.redirect(303, '/login'),
          next,
        );
      });
    });
  });

  return router;
}
