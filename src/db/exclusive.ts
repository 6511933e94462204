import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { DB } from './database';
import { engineOf } from './dialect';
import type { Database } from './schema';
import type { Tx } from './transaction';

// Background jobs when several app processes share one PostgreSQL database (issue 17): a job runs in one
// process at a time, and a periodic one once per period across them. A process takes a job with a conditional
// update of its row in job_runs (a lease, renewed while the job runs): no connection is held meanwhile, and a
// killed process's lease simply runs out. On SQLite there is one process: the job just runs, as it always did.

export interface JobOptions {
  /** Skip the run when any process finished this job less than this long ago (0: only one at a time). */
  minIntervalMs?: number;
  /** How long a claim holds without renewal; renewed every third of it while the job runs. */
  leaseMs?: number;
  now?: () => Date;
}

export type JobRun<T> = { ran: true; value: T } | { ran: false };

const iso = (ms: number) => new Date(ms).toISOString();

/** Takes the job's lease, or answers false when another process holds it or ran the job too recently. */
async function claim(db: DB, job: string, holder: string, now: number, options: Required<JobOptions>) {
  await db
    .insertInto('job_runs')
    .values({ name: job, holder: null, lease_until: null, finished_at: null })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const result = await db
    .updateTable('job_runs')
    .set({ holder, lease_until: iso(now + options.leaseMs) })
    .where('name', '=', job)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', iso(now))]))
    .where((eb) => eb.or([eb('finished_at', 'is', null), eb('finished_at', '<=', iso(now - options.minIntervalMs))]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

async function renew(db: DB, job: string, holder: string, until: string): Promise<void> {
  await db
    .updateTable('job_runs')
    .set({ lease_until: until })
    .where('name', '=', job)
    .where('holder', '=', holder)
    .execute();
}

async function release(db: DB, job: string, holder: string, finishedAt: string | null): Promise<void> {
  await db
    .updateTable('job_runs')
    .set(
      finishedAt ? { holder: null, lease_until: null, finished_at: finishedAt } : { holder: null, lease_until: null },
    )
    .where('name', '=', job)
    .where('holder', '=', holder)
    .execute();
}

/**
 * Runs `work` unless another process runs the same job now (or, with minIntervalMs, finished it that recently).
 * A failed run gives the lease back without counting as finished, so the next tick anywhere tries again.
 */
export async function runJobOnce<T>(
  db: DB,
  job: string,
  work: () => Promise<T>,
  opts: JobOptions = {},
): Promise<JobRun<T>> {
  if (engineOf(db) !== 'postgres') return { ran: true, value: await work() };
  const options: Required<JobOptions> = { minIntervalMs: 0, leaseMs: 600_000, now: () => new Date(), ...opts };
  const holder = crypto.randomUUID();
  if (!(await claim(db, job, holder, options.now().getTime(), options))) return { ran: false };
  const renewal = setInterval(() => {
    renew(db, job, holder, iso(options.now().getTime() + options.leaseMs)).catch(() => undefined);
  }, options.leaseMs / 3);
  renewal.unref();
  let finished = false;
  try {
    const value = await work();
    finished = true;
    return { ran: true, value };
  } finally {
    clearInterval(renewal);
    await release(db, job, holder, finished ? iso(options.now().getTime()) : null);
  }
}

/**
 * A named lease in job_runs on either engine, for a slot that must be held by one holder across processes (the
 * import slot): taken only if free or run out. Resolves null when taken, else the holder that has it.
 */
export async function takeLease(
  db: DB,
  name: string,
  holder: string,
  nowMs: number,
  leaseMs: number,
): Promise<string | null> {
  if (await claim(db, name, holder, nowMs, { minIntervalMs: 0, leaseMs, now: () => new Date(nowMs) })) return null;
  const row = await db.selectFrom('job_runs').select('holder').where('name', '=', name).executeTakeFirst();
  return row?.holder ?? '';
}

/** Extends a lease `holder` still has (nothing if it ran out and another took it). */
export async function renewLease(db: DB, name: string, holder: string, until: Date): Promise<void> {
  await renew(db, name, holder, until.toISOString());
}

/** Gives a lease back (nothing if it ran out and another took it). */
export async function releaseLease(db: DB, name: string, holder: string): Promise<void> {
  await release(db, name, holder, null);
}

/**
 * Holds a lock on `table` until the unit of work `trx` ends, waiting for another process's unit of work that holds
 * it (PostgreSQL), such that the work sees what the previous holder committed. A
 * SELECT (pg_advisory_xact_lock is one) fixes a serializable transaction's snapshot when it starts, before it
 * waits, so the waiter went on reading the world from before the holder's commit and was rolled back as a
 * serialization failure; under a stream of holders (the background roll-up refresh, batch after batch) a report
 * request refreshing its days failed that way until its 5 s were up and answered 503. LOCK TABLE takes no
 * snapshot, so the work's snapshot is taken once the wait is over. SHARE UPDATE EXCLUSIVE conflicts with itself
 * and not with the modes rows are written in, so writers of the table go on. It must be the unit of work's first
 * statement. On SQLite writers are one at a time already.
 */
export async function lockTableForTransaction(trx: Tx, table: keyof Database & string): Promise<void> {
  if (engineOf(trx) !== 'postgres') return;
  await sql`lock table ${sql.table(table)} in share update exclusive mode`.execute(trx);
}
