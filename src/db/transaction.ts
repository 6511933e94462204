import type { Transaction } from 'kysely';
import { ServiceUnavailable } from '../lib/errors';
import type { DB } from './database';
import { engineOf } from './dialect';
import type { Database } from './schema';

/** A unit of work: the one transaction a route or service opened, passed down to every query it runs. */
export type Tx = Transaction<Database>;
/** A query function takes either: the app's database, or the unit of work it runs inside. */
export type Executor = DB | Tx;

type CommitHook = () => void | Promise<void>;

const commitHooks = new WeakMap<Tx, CommitHook[]>();

/** Thrown when the database stayed locked by another writer for longer than a request may wait. */
export class DatabaseBusy extends ServiceUnavailable {
  override readonly code = 'database_busy';
  constructor(readonly waitedMs: number) {
    super('The server is busy saving other changes; nothing was saved. Try again in a moment.', 1);
  }
}

export interface RetryPolicy {
  /**
   * PostgreSQL only (SQLite has one writer at a time either way): 'serializable' unless said otherwise, see
   * `isolated`. 'read committed' is for a unit of work whose every check is a constraint or a compare-and-set
   * in the statement that writes (ROW_GUARDED).
   */
  isolation?: 'serializable' | 'read committed';
  /** How long one unit of work may wait in all for a lock held by another connection. */
  maxWaitMs: number;
  /** The first pause between tries; each next pause doubles, with jitter, up to maxPauseMs. */
  firstPauseMs: number;
  maxPauseMs: number;
}

/** Writers wait for the lock here, off the event loop, instead of in SQLite's blocking busy handler. */
export const BUSY_RETRY: RetryPolicy = { maxWaitMs: 5000, firstPauseMs: 5, maxPauseMs: 250 };

/**
 * For the scoring writes (a scorecard opened, saved, submitted), run by many supervisors at once on the newest
 * calls. Serializable would fail most of them: its predicate locks are per index page, and scorecards of adjacent
 * calls share pages, so concurrent submits of different calls abort each other as if they raced (the engines
 * bench saw 2,460 serialization failures in 3,500 submits). They need no snapshot-wide guarantee: one open draft
 * per evaluator, call and rubric is a unique index (insert … on conflict do nothing), a save is an update on
 * the draft's revision (the loser of a race updates no row: 409), and the call's evaluated count is an
 * increment in place.
 */
export const ROW_GUARDED: RetryPolicy = { ...BUSY_RETRY, isolation: 'read committed' };

/** PostgreSQL's serialization_failure and deadlock_detected: the transaction lost a race and may run again. */
const PG_RETRYABLE = new Set(['40001', '40P01']);

/**
 * SQLITE_BUSY and SQLITE_LOCKED with their extended codes (another connection holds the lock), and
 * PostgreSQL's serialization failures and deadlocks (the server rolled the transaction back; it may run again).
 */
export function isBusy(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? String((err as { code?: unknown }).code) : '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || PG_RETRYABLE.has(code);
}

/**
 * A transaction as strict as SQLite's: SQLite runs one writer at a time, so a unit of work that reads, checks and
 * writes (a budget before a booking, an idempotency key before an insert) cannot race another. PostgreSQL's
 * default (read committed) would let two of them pass the same check; serializable makes the loser fail with
 * 40001, which the loop below runs again, and then it sees the winner's rows.
 */
function isolated(db: DB, policy: RetryPolicy) {
  const builder = db.transaction();
  return engineOf(db) === 'postgres' ? builder.setIsolationLevel(policy.isolation ?? 'serializable') : builder;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` in one transaction and returns its result. The rules of the house, in one place:
 * - no nesting: a unit of work never opens another (asserted), it passes its `trx` down instead;
 * - side effects that must not happen for a rolled-back change (moving files, notifying) are registered with
 *   `onCommit(trx, hook)` and run, in order, only once the commit is durable;
 * - a transaction refused because another connection holds the write lock is rolled back and tried again
 *   after a growing pause with jitter, up to `policy.maxWaitMs`, then `DatabaseBusy` (the error handler
 *   answers 503 with Retry-After). The pauses are timers, so other requests go on meanwhile.
 */
export async function inTransaction<T>(
  db: Executor,
  work: (trx: Tx) => Promise<T>,
  policy: RetryPolicy = BUSY_RETRY,
): Promise<T> {
  if (db.isTransaction) throw new Error('inTransaction: a unit of work is already open; pass its trx down instead.');
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const hooks: CommitHook[] = [];
    let result: T;
    try {
      result = await isolated(db, policy).execute((trx) => {
        commitHooks.set(trx, hooks);
        return work(trx);
      });
    } catch (err) {
      if (!isBusy(err)) throw err;
      const waited = Date.now() - started;
      if (waited >= policy.maxWaitMs) throw new DatabaseBusy(waited);
      const ceiling = Math.min(policy.maxPauseMs, policy.firstPauseMs * 2 ** attempt);
      await sleep(Math.min(ceiling / 2 + Math.random() * (ceiling / 2), policy.maxWaitMs - waited));
      continue;
    }
    for (const hook of hooks) await hook();
    return result;
  }
}

/** Registers a side effect to run once this unit of work has committed; never for a rolled-back one. */
export function onCommit(trx: Tx, hook: CommitHook): void {
  const hooks = commitHooks.get(trx);
  if (!hooks) throw new Error('onCommit: not inside a unit of work opened by inTransaction().');
  hooks.push(hook);
}
