import type { Executor } from '../db/transaction';

export interface ThrottleCount {
  failures: number;
  window_started_at: number;
  blocked_until: number | null;
}

export async function blockedUntil(db: Executor, key: string): Promise<number | null | undefined> {
  const row = await db.selectFrom('login_throttle').select('blocked_until').where('key', '=', key).executeTakeFirst();
  return row?.blocked_until;
}

export async function findThrottleCount(db: Executor, key: string): Promise<ThrottleCount | undefined> {
  return db
    .selectFrom('login_throttle')
    .select(['failures', 'window_started_at', 'blocked_until'])
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
