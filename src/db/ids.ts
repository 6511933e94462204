/**
 * The ids for a `where(column, 'in', …)` (or `'not in'`) term. An empty list would be `in ()`; -1 is no row's
 * id, so an empty scope matches nothing (and `not in` excludes nothing) instead.
 */
export function idsIn(ids: readonly number[]): readonly number[] {
  return ids.length ? ids : [-1];
}

/** A scope of teams (or departments) as ids to filter on, or null when it is every one of them. */
export function scopedIds(ids: readonly number[] | 'all'): readonly number[] | null {
  return ids === 'all' ? null : idsIn(ids);
}
