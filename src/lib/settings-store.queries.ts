import type { Executor } from '../db/transaction';

// The settings table is a key-value store that several rooms keep their switches in (second factor, single
// sign-on, the session secret, the break-glass rule): these queries read and write keys, in the caller's transaction.

export async function readSetting(db: Executor, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

/** Several keys in one read: the value of each key that is set (a key not set is not in the map). */
export async function readSettings(db: Executor, keys: readonly string[]): Promise<Map<string, string>> {
  const rows = await db.selectFrom('settings').select(['key', 'value']).where('key', 'in', keys).execute();
  return new Map(rows.map((r) => [r.key, r.value]));
}

/**
 * Stores one setting: an update, else an insert. Not an upsert (INSERT … ON CONFLICT DO UPDATE): SQLite lets an
 * upsert's conflict policy override the INSERT OR IGNORE in the settings trigger that marks report days stale,
 * which then failed on a day already marked (test/settings/save.test.ts).
 */
export async function writeSetting(db: Executor, key: string, value: string): Promise<void> {
  const updated = await db.updateTable('settings').set({ value }).where('key', '=', key).executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) await db.insertInto('settings').values({ key, value }).execute();
}

/** Stores the value unless the key is set already (another process may have won the race): never overwrites. */
export async function writeSettingIfNone(db: Executor, key: string, value: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key, value })
    .onConflict((oc) => oc.doNothing())
    .execute();
}
