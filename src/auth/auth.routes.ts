import { Router, type NextFunction, type Request, type Response } from 'express';
import type passport from 'passport';
import { recordAudit } from '../audit';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { TooManyRequests } from '../lib/errors';
import { clientIp } from '../lib/http';
import { hasSecondFactor } from '../mfa';
import { findUserById } from '../users';
import { SESSION_COOKIE } from './auth.middleware';
import { BAD_CREDENTIALS, passwordOnlySignIn } from './auth.service';
import { signInWithPasskey } from './passkey-sign-in';
import { signInWithCode } from './second-step';
import { completeSignIn } from './sign-in';

/** Only same-site relative paths: never an open redirect to another host. */
export function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[\w\-./?=&%]*$/.test(value) && !value.startsWith('/login')
    ? value
    : '/';
}

function renderLogin(res: Response, status: number, username: string, next: string, error?: string): void {
  res.status(status).render('auth/login', { title: 'Sign in', username, next, error });
}

/**
 * The password was right and the user has a second factor: a half-signed-in session (not signed in) that
 * only the code page accepts, on a new session id, for a few minutes.
 */
function askForCode(deps: AppDeps, req: Request, res: Response, next: NextFunction, userId: number, target: string) {
  req.session.regenerate((err) => {
    if (err) return next(err);
    req.session.pendingSignIn = { userId, since: deps.clock.now().getTime(), next: target };
    res.redirect(303, '/login/code');
  });
}

async function afterPassword(
  deps: AppDeps,
  req: Request,
  res: Response,
  next: NextFunction,
  user: Express.User,
  target: string,
) {
  if (await hasSecondFactor(deps, user.id)) return askForCode(deps, req, res, next, user.id, target);
  const row = await findUserById(deps.db, user.id);
  if (row) await passwordOnlySignIn(deps, row);
  completeSignIn(deps, req, res, next, user, target);
}

export function authRoutes(deps: AppDeps, auth: passport.PassportStatic): Router {
  const router = Router();
  signInWithPasskey(router, deps, safeNext);

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
      afterPassword(deps, req, res, next, user, target).catch(next);
    })(req, res, next);
  });

  signInWithCode(router, deps);

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
