import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, Validation } from '../lib/errors';
import type { Actor } from '../policy';
import { importCallsFile, ImportStopped, type ImportOptions, type ImportSummary } from './import.service';
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

/**
 * ACD imports started from the page run here, after the request that uploaded the file has answered, so the
 * browser can show their progress (a 200,000-line file takes about a minute on a large database). Jobs live
 * in memory: after a restart the page says the import is unknown, and importing the file again finishes it
 * (imports are idempotent). Each job owns its staged file and removes it when it ends.
 */
export class ImportJobs {
  private readonly jobs = new Map<string, ImportJob>();
  private readonly running = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  /** The import under way, page or API: one at a time, as each takes turns with everyone's requests. */
  private busySince: string | null = null;

  constructor(private readonly options: Pick<ImportOptions, 'batchRows' | 'sliceMs' | 'pauseMs'> = {}) {}

  /** Aborted when the server shuts down: imports stop after their current transaction. */
  get signal(): AbortSignal {
    return this.stopping.signal;
  }

  /**
   * Reserves the one import slot, or refuses with 409 while another import runs. Each import gives the
   * database back every 100 ms; two at once would leave pages waiting behind both. Returns the release.
   */
  acquire(deps: AppDeps): () => void {
    if (this.stopping.signal.aborted) throw new ImportStopped(0, 0);
    if (this.busySince) {
      throw new Conflict(
        `Another import is running (started ${this.busySince.slice(11, 16)} UTC). Try again when it has finished.`,
        'import_running',
      );
    }
    this.busySince = isoNow(deps.clock);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.busySince = null;
    };
  }

  /** Starts importing `file` (a staged file the job now owns) and returns the job at once (409 if busy). */
  start(
    deps: AppDeps,
    actor: Actor,
    file: { path: string; name: string; bytes: number; format?: ImportFormat },
    ip: string | undefined,
  ): ImportJob {
    const release = this.acquire(deps);
    this.prune(deps);
    const job: ImportJob = {
      id: crypto.randomBytes(16).toString('hex'),
      ownerId: actor.id,
      fileName: file.name,
      state: 'checking',
      fileBytes: file.bytes,
      checkedBytes: 0,
      done: 0,
      total: 0,
      summary: null,
      refusedCount: 0,
      error: null,
      startedAt: isoNow(deps.clock),
      finishedAt: null,
    };
    this.jobs.set(job.id, job);
    const run = this.run(deps, actor, job, file.path, ip, file.format).finally(() => {
      release();
      this.running.delete(run);
      fsp.rm(file.path, { force: true }).catch((err: unknown) => deps.logger.error({ err }, 'staging cleanup failed'));
    });
    this.running.add(run);
    return job;
  }

  /** The job, if `ownerId` started it (nobody else may see another person's import). */
  get(id: string, ownerId: number): ImportJob | undefined {
    const job = this.jobs.get(id);
    return job && job.ownerId === ownerId ? job : undefined;
  }

  /** Stops running imports after their current transaction and waits for them (server shutdown). */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all([...this.running]);
  }

  /** Resolves once every running import has ended (tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.running]);
  }

  private async run(
    deps: AppDeps,
    actor: Actor,
    job: ImportJob,
    path: string,
    ip: string | undefined,
    format?: ImportFormat,
  ) {
    try {
      const summary = await importCallsFile(deps, actor, path, {
        ...this.options,
        ip,
        format,
        signal: this.stopping.signal,
        onCheck: (bytes) => {
          job.checkedBytes = bytes;
        },
        onProgress: ({ done, total }) => {
          job.state = 'writing';
          job.done = done;
          job.total = total;
        },
      });
      job.refusedCount = summary.errors.length;
      job.summary = { ...summary, errors: summary.errors.slice(0, SHOWN_ERRORS) };
      job.state = 'done';
    } catch (err) {
      job.state = 'failed';
      if (err instanceof Validation) {
        job.error = err.details.map((d) => d.message).join(' ') || err.message;
      } else if (err instanceof ImportStopped) {
        job.error = err.message;
      } else {
        deps.logger.error({ err, job: job.id }, 'call import failed');
        job.error = 'The import failed. Calls already added are kept; import the file again to add the rest.';
      }
    } finally {
      job.finishedAt = isoNow(deps.clock);
    }
  }

  private prune(deps: AppDeps): void {
    const now = deps.clock.now().getTime();
    for (const [id, job] of this.jobs) {
      if (job.finishedAt && now - Date.parse(job.finishedAt) > KEEP_FINISHED_MS) this.jobs.delete(id);
    }
  }
}
