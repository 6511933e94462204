import type { Executor } from '../db/transaction';

export interface ThrottleCount {
  failures: number;
  window_started_at: number;
  blocked_until: number | null;
  last_failure_at: number;
}

export async function findThrottleCount(db: Executor, key: string): Promise<ThrottleCount | undefined> {
  return db
    .selectFrom('login_throttle')
    .select(['failures', 'window_started_at', 'blocked_until', 'last_failure_at'])
    .where('key', '=', key)
    .executeTakeFirst();
}

export async function saveThrottleCount(db: Executor, key: string, values: ThrottleCount): Promise<void> {
  await db
    .insertInto('login_throttle')
    .values({ key, ...values })
    .onConflict((oc) => oc.column('key').doUpdateSet(values))
    .execute();
}

export async function clearThrottle(db: Executor, key: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute();
}

/** Forgets rows idle since `before`, then keeps at most `maxRows` (the most recent), so the table stays bounded. */
export async function pruneThrottle(db: Executor, before: number, maxRows: number): Promise<void> {
  await db.deleteFrom('login_throttle').where('last_failure_at', '<', before).execute();
  const cutoff = await db
    .selectFrom('login_throttle')
    .select('last_failure_at')
    .orderBy('last_failure_at', 'desc')
    .offset(maxRows)
    .limit(1)
    .executeTakeFirst();
  if (cutoff) await db.deleteFrom('login_throttle').where('last_failure_at', '<=', cutoff.last_failure_at).execute();
}
