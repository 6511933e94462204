/** PostgreSQL's unique_violation. */
const PG_UNIQUE_VIOLATION = '23505';

/** True when the database refused a write because a UNIQUE constraint (e.g. a username) is already taken. */
export function isUniqueViolation(err: unknown): boolean {
  // No instanceof: better-sqlite3's error class belongs to the context that first loaded the addon.
  if (typeof err !== 'object' || err === null) return false;
  const code = String((err as { code?: unknown }).code);
  return code.startsWith('SQLITE_CONSTRAINT_UNIQUE') || code === PG_UNIQUE_VIOLATION;
}
