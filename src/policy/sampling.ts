import type { Actor } from './scope';

/** Admins and the department's manager set sampling plans; supervisors only see them. */
export function mayEditSamplingPlans(actor: Actor): boolean {
  return actor.role === 'admin' || actor.role === 'manager';
}
