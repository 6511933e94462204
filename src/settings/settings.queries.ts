import { countRows } from '../db/fragments';
import { readSettings } from '../lib/settings-store.queries';
import type { Executor } from '../db/transaction';

/** The stored settings among `keys`, as text. */
export async function settingRows(db: Executor, keys: readonly string[]) {
  return db.selectFrom('settings').select(['key', 'value']).where('key', 'in', keys).execute();
}

/**
 * How far the report roll-ups are from up to date after a time-zone change (the reports room rebuilds them in
 * the background; this only reads its bookkeeping): stale days left and the size of the rebuild.
 */
export async function rollupRebuildRows(db: Executor) {
  const byKey = await readSettings(db, ['rollup_time_zone', 'rollup_rebuild_total']);
  return {
    builtFor: byKey.get('rollup_time_zone') ?? 'UTC',
    total: Number(byKey.get('rollup_rebuild_total') ?? 0),
    left: await countRows(db.selectFrom('rollup_dirty')),
  };
}
