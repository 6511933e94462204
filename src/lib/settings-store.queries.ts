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
 * Stores one setting: an update, else an insert. (Written so while the settings trigger that marks report days
 * stale used INSERT OR IGNORE, which an upsert's conflict policy overrode: test/settings/save.test.ts. The
 * triggers carry their own ON CONFLICT DO NOTHING since migrations/20261212T0200.)
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
