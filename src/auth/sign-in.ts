import type { NextFunction, Request, Response } from 'express';
import { recordAudit } from '../audit';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { clientIp } from '../lib/http';
import { markEnrolmentDue } from '../mfa';

/** Signs the user in on a fresh session id (req.login regenerates it) and records it. */
export function completeSignIn(
  deps: AppDeps,
  req: Request,
  res: Response,
  next: NextFunction,
  user: Express.User,
  target: string,
): void {
  req.login(user, (loginErr) => {
    if (loginErr) return next(loginErr);
    req.session.startedAt = deps.clock.now().getTime();
    const done = async () => {
      await recordAudit(deps.db, isoNow(deps.clock), { actorId: user.id, action: 'login', ip: clientIp(req) });
      return (await markEnrolmentDue(deps, req)) ? '/profile/second-factor' : target;
    };
    done().then((to) => res.redirect(303, to), next);
  });
}
