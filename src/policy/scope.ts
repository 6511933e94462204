import type { NextFunction, Request, Response } from 'express';
import type { DB } from '../db/database';
import type { Role, User } from '../db/schema';
import { Forbidden, NotFound, Unauthorized } from '../lib/errors';

// The one place that decides who may see whom. Services call these; hiding a link is never enough.

export interface Actor {
  id: number;
  role: Role;
}

export type TeamScope = { all: true } | { all: false; teamIds: number[] };

export async function managedDepartmentIds(db: DB, managerId: number): Promise<number[]> {
  const rows = await db.selectFrom('departments').select('id').where('manager_id', '=', managerId).execute();
  return rows.map((r) => r.id);
}

export async function supervisedTeamIds(db: DB, supervisorId: number): Promise<number[]> {
  const rows = await db.selectFrom('team_supervisors').select('team_id').where('user_id', '=', supervisorId).execute();
  return rows.map((r) => r.team_id);
}

/** The teams whose people, calls and evaluations the actor may see. CSRs see no team. */
export async function teamScope(db: DB, actor: Actor): Promise<TeamScope> {
  switch (actor.role) {
    case 'admin':
      return { all: true };
    case 'manager': {
      const departments = await managedDepartmentIds(db, actor.id);
      if (departments.length === 0) return { all: false, teamIds: [] };
      const rows = await db.selectFrom('teams').select('id').where('department_id', 'in', departments).execute();
      return { all: false, teamIds: rows.map((r) => r.id) };
    }
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
export async function canSeeUser(db: DB, actor: Actor, user: User): Promise<boolean> {
  if (actor.id === user.id || actor.role === 'admin') return true;
  if (actor.role === 'csr') return false;
  const scope = await teamScope(db, actor);
  if (inTeamScope(scope, user.team_id)) return true;
  if (actor.role === 'manager' && user.role === 'supervisor') {
    const teams = await supervisedTeamIds(db, user.id);
    return teams.some((id) => inTeamScope(scope, id));
  }
  return false;
}

/** Loads a person the actor may see; anyone else is indistinguishable from nobody (404). */
export async function visibleUserOr404(db: DB, actor: Actor, userId: number): Promise<User> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
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

export const STAFF_ROLES: Role[] = ['admin', 'manager', 'supervisor'];
