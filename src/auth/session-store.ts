import session from 'express-session';
import type { DB } from '../db/database';
import type { Clock } from '../lib/clock';
import { deleteSession, extendSession, findSession, saveSession } from './sessions.queries';

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
    extendSession(this.db, sid, this.expiry()).then(
      () => callback?.(),
      (err: unknown) => callback?.(err),
    );
  }

  destroy(sid: string, callback?: Callback): void {
    this.touched.delete(sid);
    deleteSession(this.db, sid).then(
      () => callback?.(),
      (err: unknown) => callback?.(err),
    );
  }

  private expiry(): number {
    return this.clock.now().getTime() + this.idleMs;
  }

  private async read(sid: string): Promise<session.SessionData | null> {
    const row = await findSession(this.db, sid);
    if (!row) return null;
    if (row.expires_at <= this.clock.now().getTime()) {
      await deleteSession(this.db, sid);
      return null;
    }
    return JSON.parse(row.data) as session.SessionData;
  }

  private async write(sid: string, data: session.SessionData): Promise<void> {
    const userId = (data as PassportSessionData).passport?.user ?? null;
    await saveSession(this.db, { sid, user_id: userId, data: JSON.stringify(data), expires_at: this.expiry() });
  }
}
