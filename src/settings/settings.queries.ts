import type { Executor } from '../db/transaction';

/** The stored settings among `keys`, as text. */
export async function settingRows(db: Executor, keys: readonly string[]) {
  return db.selectFrom('settings').select(['key', 'value']).where('key', 'in', keys).execute();
}

/**
 * Stores one setting: an update, else an insert. Not an upsert (INSERT … ON CONFLICT DO UPDATE): SQLite lets an
 * upsert's conflict policy override the INSERT OR IGNORE in the settings trigger that marks report days stale,
 * which then failed on a day already marked (test/settings/save.test.ts).
 */
export async function upsertSetting(db: Executor, key: string, value: string): Promise<void> {
  const updated = await db.updateTable('settings').set({ value }).where('key', '=', key).executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) await db.insertInto('settings').values({ key, value }).execute();
}

/**
 * How far the report roll-ups are from up to date after a time-zone change (the reports room rebuilds them in
 * the background; this only reads its bookkeeping): stale days left and the size of the rebuild.
 */
export async function rollupRebuildRows(db: Executor) {
  const state = await db
    .selectFrom('settings')
    .select(['key', 'value'])
    .where('key', 'in', ['rollup_time_zone', 'rollup_rebuild_total'])
    .execute();
  const left = await db.selectFrom('rollup_dirty').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const byKey = new Map(state.map((r) => [r.key, r.value]));
  return {
    builtFor: byKey.get('rollup_time_zone') ?? 'UTC',
    total: Number(byKey.get('rollup_rebuild_total') ?? 0),
    left: Number(left.n),
  };
}
