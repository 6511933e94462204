import type { NextFunction, Request, Response } from 'express';
import type { Role, User } from '../db/schema';
import type { Executor } from '../db/transaction';
import { Forbidden, NotFound, Unauthorized } from '../lib/errors';
import { flash } from '../lib/http';
import { findPerson, managedDepartmentIds, supervisedTeamIds, teamIdsOfDepartments } from './scope.queries';

export { managedDepartmentIds, supervisedTeamIds } from './scope.queries';

// The one place that decides who may see whom. Services call these; hiding a link is never enough.

export interface Actor {
  id: number;
  role: Role;
}

export type TeamScope = { all: true } | { all: false; teamIds: number[] };

export const STAFF_ROLES: Role[] = ['admin', 'manager', 'supervisor'];

/** Anyone with a role: the signed-in actor, or a person (a user row) the rule is about. */
type HasRole = Pick<Actor, 'role'>;

// Role predicates: the words other rules and rooms ask in, so no one spells out a role comparison.
export const isAdmin = (who: HasRole): boolean => who.role === 'admin';
export const isManager = (who: HasRole): boolean => who.role === 'manager';
export const isSupervisor = (who: HasRole): boolean => who.role === 'supervisor';
export const isCsr = (who: HasRole): boolean => who.role === 'csr';
/** Admins, managers and supervisors: everyone who works on other people's calls. */
export const isStaff = (who: HasRole): boolean => STAFF_ROLES.includes(who.role);
/** Only an admin sees every team, whatever the org structure says. */
export const maySeeAllTeams = (actor: HasRole): boolean => isAdmin(actor);

/** The teams whose people, calls and evaluations the actor may see. CSRs see no team. */
export async function teamScope(db: Executor, actor: Actor): Promise<TeamScope> {
  switch (actor.role) {
    case 'admin':
      return { all: true };
    case 'manager':
      return { all: false, teamIds: await teamIdsOfDepartments(db, await managedDepartmentIds(db, actor.id)) };
    case 'supervisor':
      return { all: false, teamIds: await supervisedTeamIds(db, actor.id) };
    case 'csr':
      return { all: false, teamIds: [] };
  }
}

export function inTeamScope(scope: TeamScope, teamId: number | null): boolean {
  return scope.all || (teamId !== null && scope.teamIds.includes(teamId));
}

/** Whether the actor may see this person: themselves, or someone in their scope. */
export async function canSeeUser(db: Executor, actor: Actor, user: User): Promise<boolean> {
  if (actor.id === user.id || maySeeAllTeams(actor)) return true;
  if (isCsr(actor)) return false;
  const scope = await teamScope(db, actor);
  if (inTeamScope(scope, user.team_id)) return true;
  if (isManager(actor) && isSupervisor(user)) {
    const teams = await supervisedTeamIds(db, user.id);
    return teams.some((id) => inTeamScope(scope, id));
  }
  return false;
}

/** Loads a person the actor may see; anyone else is indistinguishable from nobody (404). */
export async function visibleUserOr404(db: Executor, actor: Actor, userId: number): Promise<User> {
  const user = await findPerson(db, userId);
  if (!user || !(await canSeeUser(db, actor, user))) throw new NotFound('No such person.');
  return user;
}

export function actorOf(req: Request): Actor {
  if (!req.user) throw new Unauthorized();
  return { id: req.user.id, role: req.user.role };
}

/** Route guard: signed in with one of these roles, else 401 / 403. */
export function requireRole(...roles: Role[]) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!req.user) return next(new Unauthorized());
    if (!roles.includes(req.user.role)) return next(new Forbidden());
    next();
  };
}

/** Route guard: anyone signed in; the API answers 401, a page sends the browser to sign in and come back. */
export function requireSignedIn(req: Request, res: Response, next: NextFunction): void {
  if (req.user) return next();
  if (req.originalUrl.startsWith('/api/')) return next(new Unauthorized());
  flash(req, 'info', 'Sign in to continue.');
  res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
}
