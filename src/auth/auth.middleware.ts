import type { NextFunction, Request, Response } from 'express';
import type { AppDeps } from '../deps';
import { BadRequest, Unauthorized } from '../lib/errors';
import { hashToken } from '../lib/tokens';
import { findTokenUser, touchToken } from './auth.queries';
import { toSessionUser } from './passport';

const CREDENTIAL_PARAMS = ['password', 'token', 'access_token', 'api_key', 'apikey', 'secret'];

/** Credentials in a URL end up in logs and browser history: refuse them outright. */
export function refuseCredentialsInQuery(req: Request, _res: Response, next: NextFunction): void {
  const keys = Object.keys(req.query).map((k) => k.toLowerCase());
  if (keys.some((k) => CREDENTIAL_PARAMS.includes(k))) {
    next(new BadRequest('Credentials must not be sent in the URL. Use the Authorization header or a form.'));
    return;
  }
  next();
}

/** `Authorization: Bearer <token>` for the API: a token acts as its user. A bad token is a 401, not a fallback. */
export function bearerTokenAuth(deps: AppDeps) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const header = req.get('authorization');
    if (!header) return next();
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    if (!token) throw new Unauthorized('Use "Authorization: Bearer <token>".');
    const now = deps.clock.now();
    const row = await findTokenUser(deps.db, hashToken(token));
    if (!row || !row.active) throw new Unauthorized('The token is invalid or revoked.');
    // Recorded to the minute: a script calling in a loop should not cost a disk write (or even an UPDATE
    // statement) per request.
    const minuteAgo = new Date(now.getTime() - 60_000).toISOString();
    if (row.last_used_at === null || row.last_used_at <= minuteAgo) {
      await touchToken(deps.db, row.token_id, now.toISOString(), minuteAgo);
    }
    req.user = toSessionUser(row);
    req.authVia = 'token';
    next();
  };
}

/** Ends a session past its absolute lifetime, however active it has been. */
export function absoluteSessionTimeout(deps: AppDeps) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = req.session?.startedAt;
    if (!req.user || req.authVia === 'token' || !started) return next();
    if (deps.clock.now().getTime() - started <= deps.config.sessionAbsoluteMs) return next();
    req.session.destroy(() => {
      res.clearCookie(SESSION_COOKIE);
      if (req.originalUrl.startsWith('/api/')) return next(new Unauthorized('Your session has ended. Sign in again.'));
      res.redirect(303, '/login?expired=1');
    });
  };
}

export const SESSION_COOKIE = 'callscore.sid';
