// The auth room's door: everything other rooms may use of it. Import "../auth", never its files.
export { SESSION_COOKIE, absoluteSessionTimeout, bearerTokenAuth, refuseCredentialsInQuery } from './auth.middleware';
export { csrf, csrfProtection } from './csrf';
export { authRoutes, safeNext } from './auth.routes';
export { authenticate } from './auth.service';
export { buildPassport, toSessionUser } from './passport';
export { KyselySessionStore } from './session-store';
export { purgeExpiredSessions } from './sessions.queries';
export { sessionSecret } from './session-secret';
export { LoginThrottle } from './throttle';
// Kept here for the rooms that import them from auth: the guard is policy's, and a person's sessions are
// ended by the users room (auth builds on users, so users may not import auth).
export { requireSignedIn } from '../policy';
export { endSessionsOfUser } from '../users';
