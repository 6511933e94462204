import type { DB } from '../db/database';
import { inTransaction } from '../db/transaction';
import type { Clock } from '../lib/clock';
import { TooManyRequests } from '../lib/errors';
import {
  clearThrottle,
  findThrottleCount,
  pruneThrottle,
  saveThrottleCount,
  type ThrottleCount,
} from './throttle.queries';

// OWASP's authentication cheat sheet: throttle per account with growing delays instead of locking it, and let
// per-address limits slow guessing without ever locking a person with the right password out. Behind a proxy
// without TRUST_PROXY, or a shared NAT, every person has the same address; a hard per-address lock there
// would let one attacker lock out the whole center.

/** Failures on one username before each further attempt on it has to wait. */
export const FREE_FAILURES = 5;
/** The longest wait between attempts on one username. */
export const MAX_WAIT_MS = 15 * 60_000;
/** Failed sign-ins from one address within ADDRESS_WINDOW_MS before its failures are answered 429. */
export const ADDRESS_MAX_FAILURES = 30;
export const ADDRESS_WINDOW_MS = 15 * 60_000;
/** A username or address without a failure for this long is forgotten. */
const FORGET_AFTER_MS = 24 * 60 * 60_000;
const MAX_ROWS = 100_000;
const PRUNE_EVERY_MS = 60_000;

/**
 * The wait before the next attempt after `failures` consecutive failures: none for the first few, then
 * 1 s, 2 s, 4 s … up to MAX_WAIT_MS.
 */
export function waitAfter(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(1000 * 2 ** Math.min(failures - FREE_FAILURES, 30), MAX_WAIT_MS);
}

/** One key per username, existing or not: an unknown name is throttled like a real one, so none is revealed. */
function accountKey(username: string): string {
  return `account:${username.trim().toLowerCase()}`;
}

function addressKey(ip: string): string {
  return `ip:${ip}`;
}

function tryAgainIn(ms: number, what: string): TooManyRequests {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  const when = seconds < 120 ? `${seconds} second${seconds === 1 ? '' : 's'}` : `${Math.ceil(seconds / 60)} minutes`;
  return new TooManyRequests(`Too many failed sign-in attempts ${what}. Try again in ${when}.`, seconds);
}

/** Sign-in throttling, kept in the database so that a restart does not reset an attacker's count. */
export class LoginThrottle {
  private lastPrune = 0;

  private readonly maxRows: number;

  constructor(
    private readonly db: DB,
    private readonly clock: Clock,
    options: { maxRows?: number } = {},
  ) {
    this.maxRows = options.maxRows ?? MAX_ROWS;
  }

  /** Refuses an attempt on a username still in its wait (before any password is checked). */
  async assertAllowed(username: string): Promise<void> {
    const now = this.clock.now().getTime();
    const row = await findThrottleCount(this.db, accountKey(username));
    if (row?.blocked_until && row.blocked_until > now) throw tryAgainIn(row.blocked_until - now, 'for this username');
  }

  /**
   * Counts a failed attempt against the username and the address. Returns the 429 to answer with instead of
   * "wrong password" when the address is over its limit, else null.
   */
  async recordFailure(username: string, ip: string): Promise<TooManyRequests | null> {
    const now = this.clock.now().getTime();
    const address = await inTransaction(this.db, async (trx) => {
      const account = await findThrottleCount(trx, accountKey(username));
      const failures = account && now - account.last_failure_at <= FORGET_AFTER_MS ? account.failures + 1 : 1;
      await saveThrottleCount(trx, accountKey(username), {
        failures,
        window_started_at: failures === 1 ? now : (account?.window_started_at ?? now),
        blocked_until: failures >= FREE_FAILURES ? now + waitAfter(failures) : null,
        last_failure_at: now,
      });
      const previous = await findThrottleCount(trx, addressKey(ip));
      const current = previous && now - previous.window_started_at < ADDRESS_WINDOW_MS ? previous : null;
      const next: ThrottleCount = {
        failures: (current?.failures ?? 0) + 1,
        window_started_at: current?.window_started_at ?? now,
        blocked_until: null,
        last_failure_at: now,
      };
      if (next.failures > ADDRESS_MAX_FAILURES) next.blocked_until = next.window_started_at + ADDRESS_WINDOW_MS;
      await saveThrottleCount(trx, addressKey(ip), next);
      return next;
    });
    await this.pruneNowAndThen(now);
    return address.blocked_until ? tryAgainIn(address.blocked_until - now, 'from your network') : null;
  }

  /** A success clears the username's failures (not the address's: one right password ends no one else's). */
  async recordSuccess(username: string): Promise<void> {
    await clearThrottle(this.db, accountKey(username));
  }

  private async pruneNowAndThen(now: number): Promise<void> {
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    await pruneThrottle(this.db, now - FORGET_AFTER_MS, this.maxRows);
  }
}
