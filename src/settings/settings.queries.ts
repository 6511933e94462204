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
