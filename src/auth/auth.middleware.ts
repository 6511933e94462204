import type { NextFunction, Request, Response } from 'express';
import { csrfSync } from 'csrf-sync';
import type { AppDeps } from '../deps';
import { BadRequest, Unauthorized } from '../lib/errors';
import { flash } from '../lib/http';
import { hashToken } from '../lib/tokens';
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
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new Unauthorized('Use "Authorization: Bearer <token>".');
    const now = deps.clock.now();
    const row = await deps.db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .selectAll('users')
      .select(['api_tokens.id as token_id', 'api_tokens.last_used_at'])
      .where('api_tokens.token_hash', '=', hashToken(match[1]))
      .where('api_tokens.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row || !row.active) throw new Unauthorized('The token is invalid or revoked.');
    // Recorded to the minute: a script calling in a loop should not cost a disk write (or even an UPDATE
    // statement) per request. The UPDATE repeats the condition, for two requests that both read an old time.
    const minuteAgo = new Date(now.getTime() - 60_000).toISOString();
    if (row.last_used_at === null || row.last_used_at <= minuteAgo) {
      await deps.db
        .updateTable('api_tokens')
        .set({ last_used_at: now.toISOString() })
        .where('id', '=', row.token_id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', minuteAgo)]))
        .execute();
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

export const csrf = csrfSync({
  getTokenFromRequest: (req) => {
    const header = req.get('x-csrf-token');
    if (header) return header;
    // Multipart bodies are parsed after this check (so a forged upload writes nothing): their forms carry
    // the token in the action URL instead.
    if (req.is('multipart/form-data')) return typeof req.query._csrf === 'string' ? req.query._csrf : undefined;
    const body = req.body as Record<string, unknown> | undefined;
    return typeof body?._csrf === 'string' ? body._csrf : undefined;
  },
  // A bearer token is not sent automatically by a browser, so it needs no CSRF token; nor does an API call
  // with no session behind it (POST /api/v1/tokens from a script), as it carries no ambient credentials.
  skipCsrfProtection: (req) => req.authVia === 'token' || (req.originalUrl.startsWith('/api/') && !req.user),
});

export function requireSignedIn(req: Request, res: Response, next: NextFunction): void {
  if (req.user) return next();
  if (req.originalUrl.startsWith('/api/')) return next(new Unauthorized());
  flash(req, 'info', 'Sign in to continue.');
  res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
}
