/** True when SQLite refused a write because a UNIQUE constraint (e.g. a username) is already taken. */
export function isUniqueViolation(err: unknown): boolean {
  // No instanceof: better-sqlite3's error class belongs to the context that first loaded the addon.
  return (
    typeof err === 'object' &&
    err !== null &&
    String((err as { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT_UNIQUE')
  );
}
