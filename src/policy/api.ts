import type { DB } from '../db/database';
import { managedDepartmentIds, supervisedTeamIds, type Actor } from './scope';

/** What a person's role puts in their charge: the teams they supervise and the departments they manage. */
export async function ownCharge(
  db: DB,
  person: Actor,
): Promise<{ supervisedTeamIds: number[]; managedDepartmentIds: number[] }> {
  return {
    supervisedTeamIds: person.role === 'supervisor' ? await supervisedTeamIds(db, person.id) : [],
    managedDepartmentIds: person.role === 'manager' ? await managedDepartmentIds(db, person.id) : [],
  };
}
