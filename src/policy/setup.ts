import type { Role } from '../db/schema';

/** The page that ends first-run setup (with the demo accounts' password) is for the admin who ran it. */
export function maySeeSetupOutcome(user: { role: Role }): boolean {
  return user.role === 'admin';
}
