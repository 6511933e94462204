// The auth room's door: everything other rooms may use of it. Import "../auth", never its files.
export {
  SESSION_COOKIE,
  absoluteSessionTimeout,
  bearerTokenAuth,
  csrf,
  refuseCredentialsInQuery,
  requireSignedIn,
} from './auth.middleware';
export { authRoutes } from './auth.routes';
export { authenticate } from './auth.service';
export { buildPassport, toSessionUser } from './passport';
export { KyselySessionStore, endSessionsOfUser, purgeExpiredSessions } from './session-store';
export { LoginThrottle } from './throttle';
