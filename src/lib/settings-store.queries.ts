import type { Executor } from '../db/transaction';

// The settings table is a key-value store that several rooms keep their switches in (second factor, single
// sign-on): one pair of queries reads and writes a key, in the caller's transaction.

export async function readSetting(db: Executor, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function writeSetting(db: Executor, key: string, value: string): Promise<void> {
  const updated = await db.updateTable('settings').set({ value }).where('key', '=', key).executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) await db.insertInto('settings').values({ key, value }).execute();
}
