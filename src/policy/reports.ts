import type { DB } from '../db/database';
import type { Role } from '../db/schema';
import { managedDepartmentIds, type Actor } from './scope';

// What the reports, home and budget rooms ask: whom a review is about, whose budgets one sees.

/** A performance review, and a report's agent filter, is about a CSR; anyone else there is no such CSR. */
export function isCsrPerson(person: { role: Role }): boolean {
  return person.role === 'csr';
}

/** The departments whose budget and spend the actor sees: every one (null) for an admin, else those they manage. */
export async function budgetDepartmentIds(db: DB, actor: Actor): Promise<number[] | null> {
  return actor.role === 'admin' ? null : managedDepartmentIds(db, actor.id);
}
