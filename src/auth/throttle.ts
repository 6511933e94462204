import type { DB } from '../db/database';
import { inTransaction } from '../db/transaction';
import type { Clock } from '../lib/clock';
import { TooManyRequests } from '../lib/errors';
import { blockedUntil, clearThrottle, findThrottleCount, saveThrottleCount } from './throttle.queries';

interface Rule {
  maxFailures: number;
  windowMs: number;
  blockMs: number;
}

// Per username+IP: a person mistyping; per IP: one address guessing across many accounts.
const USER_RULE: Rule = { maxFailures: 5, windowMs: 15 * 60_000, blockMs: 15 * 60_000 };
const IP_RULE: Rule = { maxFailures: 50, windowMs: 60 * 60_000, blockMs: 60 * 60_000 };

function userKey(username: string, ip: string): string {
  return `user:${username.trim().toLowerCase()}|ip:${ip}`;
}

function keys(username: string, ip: string): Array<[string, Rule]> {
  return [
    [userKey(username, ip), USER_RULE],
    [`ip:${ip}`, IP_RULE],
  ];
}

/** Login throttling stored in the database so that a restart does not reset an attacker's count. */
export class LoginThrottle {
  constructor(
    private readonly db: DB,
    private readonly clock: Clock,
  ) {}

  async assertAllowed(username: string, ip: string): Promise<void> {
    const now = this.clock.now().getTime();
    for (const [key] of keys(username, ip)) {
      const until = await blockedUntil(this.db, key);
      if (until && until > now) {
        const minutes = Math.ceil((until - now) / 60_000);
        throw new TooManyRequests(
          `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
          Math.ceil((until - now) / 1000),
        );
      }
    }
  }

  async recordFailure(username: string, ip: string): Promise<void> {
    const now = this.clock.now().getTime();
    await inTransaction(this.db, async (trx) => {
      for (const [key, rule] of keys(username, ip)) {
        const row = await findThrottleCount(trx, key);
        const current = row && now - row.window_started_at <= rule.windowMs ? row : null;
        const values = {
          failures: (current?.failures ?? 0) + 1,
          window_started_at: current?.window_started_at ?? now,
          blocked_until: null as number | null,
        };
        if (values.failures >= rule.maxFailures) values.blocked_until = now + rule.blockMs;
        await saveThrottleCount(trx, key, values);
      }
    });
  }

  async recordSuccess(username: string, ip: string): Promise<void> {
    await clearThrottle(this.db, userKey(username, ip));
  }
}
