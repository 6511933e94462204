/**
 * A keyset page read one row past `limit`: when that extra row came, there is a page after this one, and it
 * starts after `last`, the last row shown. `last` is undefined on the final page.
 */
export function keysetPage<T>(rows: readonly T[], limit: number): { items: T[]; last: T | undefined } {
  const items = rows.slice(0, limit);
  return { items, last: rows.length > limit ? items.at(-1) : undefined };
}
