/** True when SQLite refused a write because a UNIQUE constraint (e.g. a username) is already taken. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && 'code' in err && String(err.code).startsWith('SQLITE_CONSTRAINT_UNIQUE');
}
