import type { Executor } from '../db/transaction';
import type { Clock } from '../lib/clock';
import { readSetting, writeSettingIfNone } from '../lib/settings-store.queries';

// The sessions table, as the session store reads and writes it.

export interface SessionRow {
  sid: string;
  user_id: number | null;
  data: string;
  expires_at: number;
}

export async function findSession(db: Executor, sid: string) {
  return db.selectFrom('sessions').select(['data', 'expires_at']).where('sid', '=', sid).executeTakeFirst();
}

export async function saveSession(db: Executor, row: SessionRow): Promise<void> {
  await db
    .insertInto('sessions')
    .values(row)
    .onConflict((oc) =>
      oc.column('sid').doUpdateSet({ user_id: row.user_id, data: row.data, expires_at: row.expires_at }),
    )
    .execute();
}

export async function extendSession(db: Executor, sid: string, expiresAt: number): Promise<void> {
  await db.updateTable('sessions').set({ expires_at: expiresAt }).where('sid', '=', sid).execute();
}

export async function deleteSession(db: Executor, sid: string): Promise<void> {
  await db.deleteFrom('sessions').where('sid', '=', sid).execute();
}

export async function purgeExpiredSessions(db: Executor, clock: Clock): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', clock.now().getTime()).executeTakeFirst();
  return Number(result.numDeletedRows);
}

const SESSION_SECRET_KEY = 'session_secret';

export async function findSessionSecret(db: Executor): Promise<string | undefined> {
  return readSetting(db, SESSION_SECRET_KEY);
}

/** Stores the secret unless one is there already (another process may have won the race). */
export async function storeSessionSecretIfNone(db: Executor, secret: string): Promise<void> {
  await writeSettingIfNone(db, SESSION_SECRET_KEY, secret);
}
