import crypto from 'node:crypto';
import { releaseLease, renewLease, takeLease } from '../db/exclusive';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict } from '../lib/errors';
import { liveImportJob } from './import-jobs.queries';

/** The job_runs row whose lease is the one import slot shared by every app process (page and API imports). */
const SLOT = 'import-slot';

export function importRunning(since: string | undefined): Conflict {
  const started = since && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(since) ? ` (started ${since.slice(11, 16)} UTC)` : '';
  return new Conflict(`Another import is running${started}. Try again when it has finished.`, 'import_running');
}

/**
 * Takes the import slot across processes: refused (409) while a page import's job still holds its lease, or while
 * another process (or this one) holds the slot's lease in job_runs. The lease is renewed every third of `leaseMs`
 * while held, so a killed process frees it within `leaseMs`. Resolves the release, which gives it back.
 */
export async function takeImportSlot(deps: AppDeps, since: string, leaseMs: number): Promise<() => Promise<void>> {
  const elsewhere = await liveImportJob(deps.db, isoNow(deps.clock));
  if (elsewhere) throw importRunning(elsewhere.started_at);
  // The holder names its start, so a refusal elsewhere can say when the running import began.
  const holder = `${crypto.randomUUID()} ${since}`;
  const other = await takeLease(deps.db, SLOT, holder, deps.clock.now().getTime(), leaseMs);
  if (other !== null) throw importRunning(other.split(' ')[1]);
  const renewal = setInterval(() => {
    renewLease(deps.db, SLOT, holder, new Date(deps.clock.now().getTime() + leaseMs)).catch((err: unknown) =>
      deps.logger.warn({ err }, 'import slot lease not renewed'),
    );
  }, leaseMs / 3);
  renewal.unref();
  return async () => {
    clearInterval(renewal);
    await releaseLease(deps.db, SLOT, holder).catch((err: unknown) =>
      deps.logger.warn({ err }, 'import slot not given back (it frees itself when its lease runs out)'),
    );
  };
}
