import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { Request } from 'express';
import type { AppDeps } from '../deps';
import type { User } from '../db/schema';
import { AppError } from '../lib/errors';
import { clientIp } from '../lib/http';
import { findUserById } from '../users';
import { checkPassword } from './auth.service';

export function toSessionUser(user: User): Express.User {
  return {
    id: user.id,
    username: user.username,
    display_name: user.display_name,
    role: user.role,
    team_id: user.team_id,
  };
}

/** A Passport instance of the app's own (not the module singleton), so each createApp is independent. */
export function buildPassport(deps: AppDeps): passport.PassportStatic {
  const instance = new passport.Passport() as passport.PassportStatic;
  instance.use(
    new LocalStrategy({ passReqToCallback: true }, (req: Request, username, password, done) => {
      // The password step only: the route decides whether a second factor follows (auth.routes.ts).
      checkPassword(deps, username, password, clientIp(req)).then(
        (user) => done(null, toSessionUser(user)),
        (err: unknown) =>
          err instanceof AppError && err.status === 401 ? done(null, false, { message: err.message }) : done(err),
      );
    }),
  );
  instance.serializeUser((user, done) => done(null, user.id));
  instance.deserializeUser((id: number, done) => {
    findUserById(deps.db, id).then(
      // A disabled user's session no longer authenticates, even if it was not yet deleted.
      (user) => done(null, user && user.active ? toSessionUser(user) : false),
      (err: unknown) => done(err),
    );
  });
  return instance;
}
