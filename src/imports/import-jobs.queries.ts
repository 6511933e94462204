import type { DB } from '../db/database';
import type { ImportJobsTable } from '../db/schema';

// The import_jobs table: the state of imports started from the page, shared by every app process.

export type ImportJobRow = ImportJobsTable;

/** The states of a job still under way. */
const RUNNING = ['checking', 'writing'];

export async function insertImportJob(db: DB, row: ImportJobRow): Promise<void> {
  await db.insertInto('import_jobs').values(row).execute();
}

/** Writes what the running process knows; only while it still holds the job (its holder). */
export async function updateImportJob(
  db: DB,
  id: string,
  holder: string,
  values: Partial<Omit<ImportJobRow, 'id' | 'owner_id'>>,
): Promise<void> {
  await db.updateTable('import_jobs').set(values).where('id', '=', id).where('holder', '=', holder).execute();
}

export async function findImportJob(db: DB, id: string, ownerId: number): Promise<ImportJobRow | undefined> {
  return db
    .selectFrom('import_jobs')
    .selectAll()
    .where('id', '=', id)
    .where('owner_id', '=', ownerId)
    .executeTakeFirst();
}

/** The running job whose lease still holds, if any process runs one. */
export async function liveImportJob(db: DB, now: string): Promise<Pick<ImportJobRow, 'started_at'> | undefined> {
  return db
    .selectFrom('import_jobs')
    .select('started_at')
    .where('state', 'in', RUNNING)
    .where('lease_until', '>=', now)
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Marks a job failed if it is still running with its lease run out (its process died); true if it did. */
export async function failAbandonedImportJob(db: DB, id: string, now: string, error: string): Promise<boolean> {
  const result = await db
    .updateTable('import_jobs')
    .set({ state: 'failed', error, finished_at: now, holder: null, lease_until: null })
    .where('id', '=', id)
    .where('state', 'in', RUNNING)
    .where('lease_until', '<', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Forgets jobs finished before `before`. */
export async function pruneImportJobs(db: DB, before: string): Promise<void> {
  await db.deleteFrom('import_jobs').where('finished_at', '<', before).execute();
}
