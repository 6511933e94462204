import session from 'express-session';
import type { DB } from '../db/database';
import type { Clock } from '../lib/clock';

type Callback<T = void> = (err?: unknown, value?: T) => void;

interface PassportSessionData {
  passport?: { user?: number };
}

/**
 * Sessions kept in the app's own SQLite database through the one Kysely connection, so a session
 * write can never land inside another request's open transaction. Expiry is enforced here (idle
 * timeout), not only by the cookie.
 */
const TOUCH_EVERY_MS = 60_000;

export class KyselySessionStore extends session.Store {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly db: DB,
    private readonly clock: Clock,
    private readonly idleMs: number,
  ) {
    super();
  }

  get(sid: string, callback: Callback<session.SessionData | null>): void {
    this.read(sid).then((data) => callback(null, data), callback);
  }

  set(sid: string, data: session.SessionData, callback?: Callback): void {
    this.write(sid, data).then(
      () => callback?.(),
      (err: unknown) => callback?.(err),
    );
  }

  touch(sid: string, _data: session.SessionData, callback?: Callback): void {
    // Extending the idle deadline is a durable write; doing it at most once a minute per session keeps
    // every page view from waiting on the disk, at the cost of up to a minute of idle-time precision.
    const now = this.clock.now().getTime();
    if ((this.touched.get(sid) ?? -Infinity) > now - TOUCH_EVERY_MS) {
      callback?.();
      return;
    }
    this.touched.set(sid, now);
    if (this.touched.size > 10_000) this.touched.clear();
    this.db
      .updateTable('sessions')
      .set({ expires_at: this.expiry() })
      .where('sid', '=', sid)
      .execute()
      .then(
        () => callback?.(),
        (err: unknown) => callback?.(err),
      );
  }

  destroy(sid: string, callback?: Callback): void {
    this.touched.delete(sid);
    this.db
      .deleteFrom('sessions')
      .where('sid', '=', sid)
      .execute()
      .then(
        () => callback?.(),
        (err: unknown) => callback?.(err),
      );
  }

  private expiry(): number {
    return this.clock.now().getTime() + this.idleMs;
  }

  private async read(sid: string): Promise<session.SessionData | null> {
    const row = await this.db
      .selectFrom('sessions')
      .select(['data', 'expires_at'])
      .where('sid', '=', sid)
      .executeTakeFirst();
    if (!row) return null;
    if (row.expires_at <= this.clock.now().getTime()) {
      await this.db.deleteFrom('sessions').where('sid', '=', sid).execute();
      return null;
    }
    return JSON.parse(row.data) as session.SessionData;
  }

  private async write(sid: string, data: session.SessionData): Promise<void> {
    const userId = (data as PassportSessionData).passport?.user ?? null;
    const row = { sid, user_id: userId, data: JSON.stringify(data), expires_at: this.expiry() };
    await this.db
      .insertInto('sessions')
      .values(row)
      .onConflict((oc) => oc.column('sid').doUpdateSet({ user_id: userId, data: row.data, expires_at: row.expires_at }))
      .execute();
  }
}

export async function endSessionsOfUser(db: DB, userId: number): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

export async function purgeExpiredSessions(db: DB, clock: Clock): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', clock.now().getTime()).executeTakeFirst();
  return Number(result.numDeletedRows);
}
