import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Validation } from '../lib/errors';
import type { Actor } from '../policy';
import {
  failAbandonedImportJob,
  findImportJob,
  insertImportJob,
  pruneImportJobs,
  updateImportJob,
  type ImportJobRow,
} from './import-jobs.queries';
import { importCallsFile, ImportStopped, type ImportOptions, type ImportSummary } from './import.service';
import { importRunning, takeImportSlot } from './import-slot';
import type { ImportFormat } from './sources';

export type ImportJobState = 'checking' | 'writing' | 'done' | 'failed';

export interface ImportJob {
  id: string;
  ownerId: number;
  fileName: string;
  state: ImportJobState;
  fileBytes: number;
  /** Bytes of the file the check has read. */
  checkedBytes: number;
  /** Good lines written so far, and in all (known once the check is over). */
  done: number;
  total: number;
  /** The outcome, with at most SHOWN_ERRORS of the refused lines (refusedCount counts them all). */
  summary: ImportSummary | null;
  refusedCount: number;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

/** Refused lines a finished job keeps to show (a file of bad lines would otherwise be held for an hour). */
export const SHOWN_ERRORS = 500;

/** Finished imports stay visible this long, then are forgotten. */
const KEEP_FINISHED_MS = 60 * 60 * 1000;
/** How long a running job's lease holds without renewal (renewed every third of it, and with each write). */
export const IMPORT_LEASE_MS = 30_000;
/** The check reports its bytes often; they are written at most this often. */
const CHECK_WRITE_MS = 250;

type JobOptions = Pick<ImportOptions, 'batchRows' | 'sliceMs' | 'pauseMs'> & { leaseMs?: number };

/**
 * What a job whose process died (its lease ran out while it was under way) left behind, said truthfully: the
 * file is checked whole before anything is written, then its good lines are written in file order, a
 * transaction at a time, and `done` is written after each transaction commits.
 */
export function abandonedMessage(row: Pick<ImportJobRow, 'state' | 'done' | 'total'>): string {
  if (row.state === 'checking' || row.done === 0) {
    return 'The server restarted during the import, before any call was added. Import the file again.';
  }
  return (
    `The server restarted during the import: the first ${n(row.done)} of ${n(row.total)} calls of the file were saved ` +
    '(perhaps a few more, from its last transaction), and nothing after them. Import the file again to add ' +
    'the rest; calls already saved are recognised and not added twice.'
  );
}

const n = (value: number) => value.toLocaleString('en-US');

function jobOf(row: ImportJobRow): ImportJob {
  return {
    id: row.id,
    ownerId: row.owner_id,
    fileName: row.file_name,
    state: row.state as ImportJobState,
    fileBytes: Number(row.file_bytes),
    checkedBytes: Number(row.checked_bytes),
    done: Number(row.done),
    total: Number(row.total),
    summary: row.summary === null ? null : (JSON.parse(row.summary) as ImportSummary),
    refusedCount: Number(row.refused_count),
    error: row.error,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** The running process's writes of one job: in order, one at a time, never failing the import itself. */
class JobWriter {
  private chain: Promise<void> = Promise.resolve();
  private lastCheckWrite = 0;

  constructor(
    private readonly deps: AppDeps,
    private readonly id: string,
    private readonly holder: string,
    private readonly leaseMs: number,
  ) {}

  leaseUntil(): string {
    return new Date(this.deps.clock.now().getTime() + this.leaseMs).toISOString();
  }

  write(values: Parameters<typeof updateImportJob>[3]): void {
    this.chain = this.chain
      .then(() => updateImportJob(this.deps.db, this.id, this.holder, { lease_until: this.leaseUntil(), ...values }))
      .catch((err: unknown) => this.deps.logger.warn({ err, job: this.id }, 'import progress not written'));
  }

  checked(bytes: number): void {
    const now = Date.now();
    if (now - this.lastCheckWrite < CHECK_WRITE_MS) return;
    this.lastCheckWrite = now;
    this.write({ checked_bytes: bytes });
  }

  async settled(): Promise<void> {
    await this.chain;
  }
}

/**
 * ACD imports started from the page run here, after the request that uploaded the file has answered, so the
 * browser can show their progress (a 200,000-line file takes about a minute on a large database). Their state
 * is in the import_jobs table, so any app process answers the progress page; the running process holds a
 * lease on its job, and a job whose process died is shown failed once its lease has run out (importing the file
 * again finishes it: imports are idempotent). Each job owns its staged file and removes it when it ends.
 */
export class ImportJobs {
  private readonly running = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  /** The import under way in this process, page or API: one at a time, as each takes turns with everyone's requests. */
  private busySince: string | null = null;
  private readonly holder = crypto.randomUUID();
  private readonly leaseMs: number;

  constructor(private readonly options: JobOptions = {}) {
    this.leaseMs = options.leaseMs ?? IMPORT_LEASE_MS;
  }

  /** Aborted when the server shuts down: imports stop after their current transaction. */
  get signal(): AbortSignal {
    return this.stopping.signal;
  }

  /**
   * Reserves the one import slot, or refuses with 409 while another import runs in any process (import-slot.ts).
   * Each import gives the database back every 100 ms; two at once would leave pages waiting behind both.
   * Returns the release, which gives the slot back.
   */
  async acquire(deps: AppDeps): Promise<() => Promise<void>> {
    if (this.stopping.signal.aborted) throw new ImportStopped(0, 0);
    if (this.busySince) throw importRunning(this.busySince);
    const since = isoNow(deps.clock);
    // Taken here before the first await, so two requests to this process cannot both pass.
    this.busySince = since;
    let giveBack: () => Promise<void>;
    try {
      giveBack = await takeImportSlot(deps, since, this.leaseMs);
    } catch (err) {
      this.busySince = null;
      throw err;
    }
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      await giveBack();
      this.busySince = null;
    };
  }

  /** Starts importing `file` (a staged file the job now owns) and returns the job at once (409 if busy). */
  async start(
    deps: AppDeps,
    actor: Actor,
    file: { path: string; name: string; bytes: number; format?: ImportFormat },
    ip: string | undefined,
  ): Promise<ImportJob> {
    const release = await this.acquire(deps);
    try {
      const now = deps.clock.now().getTime();
      await pruneImportJobs(deps.db, new Date(now - KEEP_FINISHED_MS).toISOString());
      const row: ImportJobRow = {
        id: crypto.randomBytes(16).toString('hex'),
        owner_id: actor.id,
        file_name: file.name,
        state: 'checking',
        file_bytes: file.bytes,
        checked_bytes: 0,
        done: 0,
        total: 0,
        summary: null,
        refused_count: 0,
        error: null,
        started_at: isoNow(deps.clock),
        finished_at: null,
        holder: this.holder,
        lease_until: new Date(now + this.leaseMs).toISOString(),
      };
      await insertImportJob(deps.db, row);
      const run = this.run(deps, actor, row.id, file.path, ip, file.format).finally(async () => {
        await release();
        this.running.delete(run);
        fsp
          .rm(file.path, { force: true })
          .catch((err: unknown) => deps.logger.error({ err }, 'staging cleanup failed'));
      });
      this.running.add(run);
      return jobOf(row);
    } catch (err) {
      await release();
      throw err;
    }
  }

  /** The job, if `ownerId` started it (nobody else may see another person's import), from whichever process runs it. */
  async get(deps: AppDeps, id: string, ownerId: number): Promise<ImportJob | undefined> {
    const row = await findImportJob(deps.db, id, ownerId);
    if (!row) return undefined;
    const now = isoNow(deps.clock);
    const running = row.state === 'checking' || row.state === 'writing';
    if (running && row.lease_until !== null && row.lease_until < now) {
      await failAbandonedImportJob(deps.db, id, now, abandonedMessage(row));
      const failed = await findImportJob(deps.db, id, ownerId);
      return failed && jobOf(failed);
    }
    return jobOf(row);
  }

  /** Stops running imports after their current transaction and waits for them (server shutdown). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all([...this.running]);
  }

  /** Resolves once every running import of this process has ended and its outcome is written (tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.running]);
  }

  private async run(deps: AppDeps, actor: Actor, id: string, path: string, ip?: string, format?: ImportFormat) {
    const writer = new JobWriter(deps, id, this.holder, this.leaseMs);
    const renewal = setInterval(() => writer.write({}), this.leaseMs / 3);
    renewal.unref();
    let outcome: Parameters<typeof updateImportJob>[3];
    try {
      const summary = await importCallsFile(deps, actor, path, {
        ...this.options,
        ip,
        format,
        signal: this.stopping.signal,
        onCheck: (bytes) => writer.checked(bytes),
        onProgress: ({ done, total }) => writer.write({ state: 'writing', done, total }),
      });
      const shown = { ...summary, errors: summary.errors.slice(0, SHOWN_ERRORS) };
      outcome = { state: 'done', summary: JSON.stringify(shown), refused_count: summary.errors.length };
    } catch (err) {
      outcome = { state: 'failed', error: this.failure(deps, id, err) };
    } finally {
      clearInterval(renewal);
    }
    // The outcome and the end of the lease in one write, after every progress write before it.
    writer.write({ ...outcome, finished_at: isoNow(deps.clock), holder: null, lease_until: null });
    await writer.settled();
  }

  private failure(deps: AppDeps, id: string, err: unknown): string {
    if (err instanceof Validation) return err.details.map((d) => d.message).join(' ') || err.message;
    if (err instanceof ImportStopped) return err.message;
    deps.logger.error({ err, job: id }, 'call import failed');
    return 'The import failed. Calls already added are kept; import the file again to add the rest.';
  }
}
