import { Router, type NextFunction, type Request, type Response } from 'express';
import { recordAudit } from '../audit';
import { SESSION_COOKIE, safeNext } from '../auth';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Forbidden, NotFound } from '../lib/errors';
import { clientIp, withDeps } from '../lib/http';
import { hasSecondFactor, markEnrolmentDue } from '../mfa';
import { openIdClient, providerConfiguration } from './sso.client';
import { accountFor, finishSso, PENDING_MS, SsoRefused, startSso, type SsoIdentity } from './sso.service';
import { passwordAllowed, ssoPolicy } from './sso.settings';
import { ssoSettingsRoutes } from './sso-settings.routes';
import type { User } from '../db/schema';

const UNREACHABLE = 'The identity provider cannot be reached just now. Try again in a moment.';
const PASSWORDS_OFF = 'Passwords are turned off here: use the single sign-on button.';

function renderLogin(res: Response, status: number, error: string, username = '', next = '/'): void {
  res.status(status).render('auth/login', { title: 'Sign in', username, next, error });
}

async function start(deps: AppDeps, req: Request, res: Response, next: NextFunction) {
  const oidc = deps.config.oidc;
  if (!oidc) throw new NotFound();
  // Signed in already: only a deliberate fresh sign-in (reauth=1, e.g. to remove a passkey without a password).
  if (req.user && req.query.reauth !== '1') return res.redirect(303, '/');
  let started;
  try {
    started = await startSso(oidc, safeNext(req.query.next), deps.clock.now().getTime());
  } catch (err) {
    deps.logger.warn({ err }, 'single sign-on: discovery failed');
    return renderLogin(res, 503, UNREACHABLE);
  }
  req.session.ssoPending = started.pending;
  req.session.save((err) => (err ? next(err) : res.redirect(303, started.url.href)));
}

async function refuse(deps: AppDeps, req: Request, res: Response, err: SsoRefused) {
  await recordAudit(deps.db, isoNow(deps.clock), {
    actorId: null,
    action: 'login.sso_refused',
    details: { reason: err.reason, email: err.email },
    ip: clientIp(req),
  });
  renderLogin(res, err.status, err.message);
}

/** The provider sent the browser back: check its answer, find the account, then the second factor or sign in. */
async function callback(deps: AppDeps, req: Request, res: Response, next: NextFunction) {
  const oidc = deps.config.oidc;
  if (!oidc) throw new NotFound();
  const pending = req.session.ssoPending;
  delete req.session.ssoPending;
  let identity: SsoIdentity | undefined;
  try {
    if (!pending || deps.clock.now().getTime() - pending.since > PENDING_MS) {
      throw new SsoRefused('no_pending_sign_in', 'Your sign-in took too long or was already used. Sign in again.');
    }
    if (typeof req.query.error === 'string') {
      throw new SsoRefused(`provider: ${req.query.error.slice(0, 40)}`, 'The identity provider did not sign you in.');
    }
    identity = await finishSso(oidc, pending, new URL(req.originalUrl, 'http://callback').search);
    const user = await accountFor(deps, identity, clientIp(req));
    await afterProvider(deps, req, res, next, user, identity, pending.next);
  } catch (err) {
    if (!(err instanceof SsoRefused)) throw err;
    err.email = identity?.email ?? null;
    await refuse(deps, req, res, err);
  }
}

async function afterProvider(
  deps: AppDeps,
  req: Request,
  res: Response,
  next: NextFunction,
  user: User,
  identity: SsoIdentity,
  target: string,
) {
  const policy = await ssoPolicy(deps.db);
  // The local code is still asked unless the admin says the provider enforces multi-factor sign-in itself.
  if (!policy.idpMfa && (await hasSecondFactor(deps, user.id))) {
    req.session.regenerate((err) => {
      if (err) return next(err);
      const now = deps.clock.now().getTime();
      // The SSO marker rides through the second-factor step, so the final session can end the provider's too.
      req.session.pendingSignIn = {
        userId: user.id,
        since: now,
        next: target,
        sso: { idToken: identity.idToken, at: now },
      };
      res.redirect(303, '/login/code');
    });
    return;
  }
  const sessionUser = { id: user.id, username: user.username, display_name: user.display_name, role: user.role };
  req.login({ ...sessionUser, team_id: user.team_id }, (loginErr) => {
    if (loginErr) return next(loginErr);
    req.session.startedAt = deps.clock.now().getTime();
    req.session.ssoSignedIn = true;
    req.session.ssoIdToken = identity.idToken;
    req.session.ssoAt = req.session.startedAt;
    const done = async () => {
      await recordAudit(deps.db, isoNow(deps.clock), {
        actorId: user.id,
        action: 'login',
        details: { via: 'sso', amr: identity.amr },
        ip: clientIp(req),
      });
      if (policy.idpMfa) return target;
      return (await markEnrolmentDue(deps, req)) ? '/profile/second-factor' : target;
    };
    done().then((to) => res.redirect(303, to), next);
  });
}

/** Where the provider's sign-out sends the browser back to: it must be registered with the provider. */
async function providerSignOut(deps: AppDeps, idToken: string | undefined): Promise<URL | undefined> {
  const oidc = deps.config.oidc;
  if (!oidc) return undefined;
  try {
    const configuration = await providerConfiguration(oidc);
    if (!configuration.serverMetadata().end_session_endpoint) return undefined;
    // id_token_hint names the provider's session to end (RP-Initiated Logout 1.0, RECOMMENDED); this redirect
    // is the one URL the spec puts it in. The token itself is kept in the server-side session, never shown.
    return (await openIdClient()).buildEndSessionUrl(configuration, {
      client_id: oidc.clientId,
      post_logout_redirect_uri: new URL('/login', oidc.redirectUri).href,
      ...(idToken ? { id_token_hint: idToken } : {}),
    });
  } catch (err) {
    deps.logger.warn({ err }, 'single sign-on: no provider sign-out (discovery failed)');
    return undefined;
  }
}

/** Sign-out after a single sign-on: the local session ends, then the provider's (RP-initiated logout). */
async function signOut(deps: AppDeps, req: Request, res: Response, next: NextFunction) {
  if (!req.user || !req.session.ssoSignedIn) return next();
  const userId = req.user.id;
  const endUrl = await providerSignOut(deps, req.session.ssoIdToken);
  req.logout((err) => {
    if (err) return next(err);
    req.session.destroy((destroyErr) => {
      if (destroyErr) return next(destroyErr);
      res.clearCookie(SESSION_COOKIE);
      const details = { via: 'sso', provider_sign_out: endUrl !== undefined };
      recordAudit(deps.db, isoNow(deps.clock), { actorId: userId, action: 'logout', details, ip: clientIp(req) }).then(
        () => res.redirect(303, endUrl?.href ?? '/login'),
        next,
      );
    });
  });
}

/** While SSO is the only way in, the password form and token route refuse all but the break-glass admin. */
async function passwordGuard(deps: AppDeps, req: Request, res: Response, next: NextFunction) {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const username = typeof body.username === 'string' ? body.username.slice(0, 64) : '';
  if (await passwordAllowed(deps, username)) return next();
  await recordAudit(deps.db, isoNow(deps.clock), {
    actorId: null,
    action: 'login.refused_sso_only',
    details: { username },
    ip: clientIp(req),
  });
  if (req.path.startsWith('/api/')) throw new Forbidden(PASSWORDS_OFF);
  renderLogin(res, 403, PASSWORDS_OFF, username, safeNext(body.next));
}

export function ssoRoutes(deps: AppDeps): Router {
  const router = Router();
  const handle = withDeps(deps);
  const oidc = deps.config.oidc;
  router.use((_req, res, next) => {
    res.locals.sso = oidc ? { name: oidc.displayName } : null;
    next();
  });
  router.post('/login', handle(passwordGuard));
  router.post('/api/v1/tokens', handle(passwordGuard));
  router.post('/logout', handle(signOut));
  router.use(ssoSettingsRoutes(deps));
  if (!oidc) return router;
  router.get('/login/sso', handle(start));
  router.get(oidc.redirectUri.pathname, handle(callback));
  return router;
}
