import type { RequestHandler } from 'express';
import { checkDatabase } from './db/health';
import { pendingMigrations } from './db/migrate';
import type { AppDeps } from './deps';
import { storageReady } from './recordings';

// GET /readyz: whether this process should be sent requests (a load balancer's check), as opposed to /healthz,
// which says the process is alive. Ready = the database answers, its schema is current (no migration pending)
// and the recordings' storage answers (the folder takes a write, or the bucket answers); not while the process is shutting down.

const CHECK_TIMEOUT_MS = 3000;
const RETRY_AFTER_S = 5;

let draining = false;

/** Called when shutdown starts: from then on /readyz answers 503, so the load balancer sends no new requests. */
export function markDraining(): void {
  draining = true;
}

/** Whether shutdown has started (background work that then finds the database closed is not a failure). */
export function isDraining(): boolean {
  return draining;
}

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

type Checks = Record<'database' | 'migrations' | 'storage', string>;

export async function readinessChecks(deps: AppDeps): Promise<Checks> {
  const checks: Checks = { database: 'ok', migrations: 'ok', storage: 'ok' };
  try {
    await within(checkDatabase(deps.db), CHECK_TIMEOUT_MS);
    const pending = await within(pendingMigrations(deps.db), CHECK_TIMEOUT_MS);
    if (pending.length > 0) checks.migrations = `pending: ${pending.join(', ')}`;
  } catch {
    checks.database = 'unreachable';
    checks.migrations = 'unknown';
  }
  // The recordings' storage (its own check: the folder takes a write, or the bucket answers HeadBucket).
  const storage = await within(storageReady(deps.storage), CHECK_TIMEOUT_MS).catch(() => ({ ok: false }));
  if (!storage.ok) checks.storage = deps.storage.remote ? 'unreachable' : 'not_writable';
  return checks;
}

/** 200 `{"status":"ready","checks":{…}}`, or 503 `{"status":"not_ready"|"draining","checks":{…}}` with Retry-After. */
export function readiness(deps: AppDeps): RequestHandler {
  return async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    if (draining) {
      res.setHeader('Retry-After', String(RETRY_AFTER_S));
      res.status(503).json({ status: 'draining' });
      return;
    }
    const checks = await readinessChecks(deps);
    const ready = Object.values(checks).every((value) => value === 'ok');
    if (!ready) res.setHeader('Retry-After', String(RETRY_AFTER_S));
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  };
}
