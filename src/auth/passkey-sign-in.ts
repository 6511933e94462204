import type { NextFunction, Request, Response, Router } from 'express';
import type { AppDeps } from '../deps';
import { AppError, TooManyRequests, Unauthorized } from '../lib/errors';
import { formBody } from '../lib/forms';
import { clientIp } from '../lib/http';
import {
  authenticationOptions,
  hasPasskey,
  keepChallenge,
  listPasskeys,
  takeChallenge,
  verifyPasskey,
} from '../passkeys';
import { toSessionUser } from './passport';
import { pendingOf } from './second-step';
import { completeSignIn } from './sign-in';

// Signing in with a passkey: alone from the sign-in page (a discoverable credential with user verification is
// both factors), or as the second step after the password. The browser asks for options (JSON), then posts the
// authenticator's answer in a form, so success and failure are ordinary page answers.

function refusedPage(res: Response, err: unknown, view: 'auth/login' | 'auth/code', locals: Record<string, unknown>) {
  if (!(err instanceof AppError) || (err.status !== 401 && err.status !== 429)) throw err;
  if (err instanceof TooManyRequests) res.setHeader('Retry-After', String(err.retryAfterSeconds));
  res.status(err.status).render(view, { ...locals, error: err.message });
}

async function signInOptions(deps: AppDeps, req: Request, res: Response) {
  const options = await authenticationOptions(deps, 'sign-in', null);
  keepChallenge(req, 'sign-in', options.challenge);
  res.json(options);
}

type SafeNext = (value: unknown) => string;

async function signInAlone(deps: AppDeps, safeNext: SafeNext, req: Request, res: Response, next: NextFunction) {
  const body = formBody(req);
  const challenge = takeChallenge(req, 'sign-in');
  let user;
  try {
    user = await verifyPasskey(deps, {
      purpose: 'sign-in',
      challenge,
      credential: body.credential,
      userId: null,
      ip: clientIp(req),
    });
  } catch (err) {
    return refusedPage(res, err, 'auth/login', { title: 'Sign in', username: '', next: safeNext(body.next) });
  }
  completeSignIn(deps, req, res, next, toSessionUser(user), safeNext(body.next));
}

async function secondStepOptions(deps: AppDeps, req: Request, res: Response) {
  const pending = pendingOf(deps, req);
  if (!pending) throw new Unauthorized('Your sign-in took too long. Enter your username and password again.');
  const credentials = await listPasskeys(deps.db, pending.userId);
  const options = await authenticationOptions(deps, 'second-step', { id: pending.userId, credentials });
  keepChallenge(req, 'second-step', options.challenge);
  res.json(options);
}

async function secondStep(deps: AppDeps, req: Request, res: Response, next: NextFunction) {
  const pending = pendingOf(deps, req);
  const challenge = takeChallenge(req, 'second-step');
  if (!pending) return res.redirect(303, '/login');
  let user;
  try {
    user = await verifyPasskey(deps, {
      purpose: 'second-step',
      challenge,
      credential: formBody(req).credential,
      userId: pending.userId,
      ip: clientIp(req),
    });
  } catch (err) {
    return refusedPage(res, err, 'auth/code', { title: 'Enter your code', passkeyStep: true });
  }
  delete req.session.pendingSignIn;
  completeSignIn(deps, req, res, next, toSessionUser(user), pending.next, pending.sso);
}

/** The passkey routes of the sign-in pages; `safeNext` is the sign-in page's own check of where to go after. */
export function signInWithPasskey(router: Router, deps: AppDeps, safeNext: SafeNext): void {
  router.use('/login', (req, res, next) => {
    res.locals.passkeysOn = deps.config.webauthn !== null;
    const pending = req.path === '/code' ? req.session.pendingSignIn : undefined;
    if (!pending || !res.locals.passkeysOn) return next();
    hasPasskey(deps, pending.userId).then((has) => {
      res.locals.passkeyStep = has;
      next();
    }, next);
  });
  router.post('/login/passkey/options', (req, res) => signInOptions(deps, req, res));
  router.post('/login/passkey', (req, res, next) => signInAlone(deps, safeNext, req, res, next));
  router.post('/login/code/passkey/options', (req, res) => secondStepOptions(deps, req, res));
  router.post('/login/code/passkey', (req, res, next) => secondStep(deps, req, res, next));
}
