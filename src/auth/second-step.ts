import type { NextFunction, Request, Response, Router } from 'express';
import type { AppDeps } from '../deps';
import { AppError, TooManyRequests } from '../lib/errors';
import { clientIp } from '../lib/http';
import { verifySecondFactor } from '../mfa';
import { findUserById } from '../users';
import { completeSignIn } from './sign-in';
import { toSessionUser } from './passport';

// The sign-in page's second step: after the right password, the code from the authenticator app (or a
// recovery code). Until it passes the session is not signed in; the half-signed-in state lasts a few minutes.

export const PENDING_MS = 5 * 60_000;
const TIMED_OUT = 'Your sign-in took too long. Enter your username and password again.';

function renderCode(res: Response, status: number, error?: string): void {
  res.status(status).render('auth/code', { title: 'Enter your code', error });
}

/** The pending sign-in of this session while it lasts; an expired one is forgotten. */
export function pendingOf(deps: AppDeps, req: Request) {
  const pending = req.session.pendingSignIn;
  if (!pending) return undefined;
  if (deps.clock.now().getTime() - pending.since > PENDING_MS) {
    delete req.session.pendingSignIn;
    return undefined;
  }
  return pending;
}

function showCodePage(deps: AppDeps, req: Request, res: Response): void {
  if (req.user) return res.redirect(303, '/');
  if (!pendingOf(deps, req)) return res.redirect(303, '/login');
  renderCode(res, 200);
}

async function checkCodeStep(deps: AppDeps, req: Request, res: Response, next: NextFunction): Promise<void> {
  const pending = pendingOf(deps, req);
  if (!pending)
    return res.status(401).render('auth/login', { title: 'Sign in', username: '', next: '/', error: TIMED_OUT });
  const user = await findUserById(deps.db, pending.userId);
  if (!user || !user.active) {
    delete req.session.pendingSignIn;
    return res.status(401).render('auth/login', { title: 'Sign in', username: '', next: '/', error: TIMED_OUT });
  }
  const code = (req.body as Record<string, unknown> | undefined)?.code;
  try {
    await verifySecondFactor(deps, user, typeof code === 'string' ? code.slice(0, 64) : '', clientIp(req));
  } catch (err) {
    if (err instanceof TooManyRequests) res.setHeader('Retry-After', String(err.retryAfterSeconds));
    if (err instanceof AppError && (err.status === 401 || err.status === 429))
      return renderCode(res, err.status, err.message);
    throw err;
  }
  delete req.session.pendingSignIn;
  completeSignIn(deps, req, res, next, toSessionUser(user), pending.next, pending.sso);
}

export function signInWithCode(router: Router, deps: AppDeps): void {
  router.get('/login/code', (req, res) => showCodePage(deps, req, res));
  router.post('/login/code', (req, res, next) => checkCodeStep(deps, req, res, next));
}
