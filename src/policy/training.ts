import type { DB } from '../db/database';
import { managedDepartmentIds, type Actor } from './scope';

// Who manages a department's training, budget and awards: an admin every department, a manager their own.

export type DepartmentScope = number[] | 'all';

/** The departments whose training, bookings and awards the actor manages; none for anyone else. */
export async function managedDepartments(db: DB, actor: Actor): Promise<DepartmentScope> {
  if (actor.role === 'admin') return 'all';
  if (actor.role !== 'manager') return [];
  return managedDepartmentIds(db, actor.id);
}

export function inDepartments(scope: DepartmentScope, departmentId: number): boolean {
  return scope === 'all' || scope.includes(departmentId);
}

/** A manager (or an admin) confirms that a CSR completed their training. */
export function mayConfirmTraining(actor: Actor): boolean {
  return actor.role === 'manager' || actor.role === 'admin';
}
