import type { NextFunction, Request, Response } from 'express';
import type { SessionData } from 'express-session';
import { recordAudit } from '../audit';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { clientIp } from '../lib/http';
import { markEnrolmentDue } from '../mfa';

type SsoSignIn = NonNullable<NonNullable<SessionData['pendingSignIn']>['sso']>;

/**
 * Signs the user in on a fresh session id (req.login regenerates it) and records it. `sso`: the first factor was
 * a single sign-on (carried through the second-factor step), so the new session keeps what the provider's
 * sign-out needs.
 */
export function completeSignIn(
  deps: AppDeps,
  req: Request,
  res: Response,
  next: NextFunction,
  user: Express.User,
  target: string,
  sso?: SsoSignIn,
): void {
  req.login(user, (loginErr) => {
    if (loginErr) return next(loginErr);
    req.session.startedAt = deps.clock.now().getTime();
    if (sso) {
      req.session.ssoSignedIn = true;
      req.session.ssoIdToken = sso.idToken;
      req.session.ssoAt = sso.at;
    }
    const details = sso ? { via: 'sso', second_factor: true } : undefined;
    const done = async () => {
      await recordAudit(deps.db, isoNow(deps.clock), { actorId: user.id, action: 'login', details, ip: clientIp(req) });
      return (await markEnrolmentDue(deps, req)) ? '/profile/second-factor' : target;
    };
    done().then((to) => res.redirect(303, to), next);
  });
}
