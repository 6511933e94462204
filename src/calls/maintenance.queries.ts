import { sql } from 'kysely';
import { engineOf } from '../db/dialect';
import type { Executor } from '../db/transaction';

export interface StoredRecordingRow {
  id: number;
  recording_file: string | null;
  recording_status: string | null;
}

/** The next page of calls with a stored or missing recording, by id after `after`. */
export async function recordingRowsAfter(db: Executor, after: number, limit: number): Promise<StoredRecordingRow[]> {
  // NOT INDEXED: walk the primary key from the last id. Through the status index SQLite would sort every
  // remaining recording again for each page (quadratic, and the sort held ~90 MB at 300,000 recordings).
  // PostgreSQL has no such hint (and was refused it at start-up); its planner walks the key by itself.
  const hint = sql.raw(engineOf(db) === 'postgres' ? '' : 'not indexed');
  const { rows } = await sql<StoredRecordingRow>`
    select id, recording_file, recording_status from calls ${hint}
    where id > ${after} and recording_status in ('stored', 'missing') order by id limit ${limit}`.execute(db);
  return rows;
}

type KeptStatus = 'stored' | 'missing';

/** Moves a call's recording from one status to the other if it still has that status and file; true if it did. */
export async function setRecordingStatus(
  db: Executor,
  id: number,
  file: string,
  from: KeptStatus,
  to: KeptStatus,
): Promise<boolean> {
  const result = await db
    .updateTable('calls')
    .set({ recording_status: to })
    .where('id', '=', id)
    .where('recording_status', '=', from)
    .where('recording_file', '=', file)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Which of these file names a stored-or-missing call names. */
export async function namedRecordingFiles(db: Executor, names: string[]): Promise<Set<string | null>> {
  const named = await db
    .selectFrom('calls')
    .select('recording_file')
    .where('recording_file', 'in', names)
    .where('recording_status', 'in', ['stored', 'missing'])
    .execute();
  return new Set(named.map((r) => r.recording_file));
}

/** Up to `limit` calls whose recording is kept and which started before `cutoff`. */
export async function recordingsStartedBefore(db: Executor, cutoff: string, limit: number) {
  return db
    .selectFrom('calls')
    .select(['id', 'external_id', 'recording_file', 'started_at'])
    .where('recording_status', 'in', ['stored', 'missing'])
    .where('started_at', '<', cutoff)
    .limit(limit)
    .execute();
}

export async function markRecordingDeleted(db: Executor, id: number, now: string): Promise<void> {
  await db
    .updateTable('calls')
    .set({ recording_status: 'deleted', recording_file: null, recording_deleted_at: now })
    .where('id', '=', id)
    .execute();
}

export interface StagingLeaseRow {
  name: string;
  holder: string | null;
  lease_until: string | null;
}

/** The app processes' staging leases (`staging:<instance>` rows of job_runs). */
export async function stagingLeases(db: Executor, prefix: string): Promise<StagingLeaseRow[]> {
  return db
    .selectFrom('job_runs')
    .select(['name', 'holder', 'lease_until'])
    .where('name', 'like', `${prefix}%`)
    .execute();
}

/** Forgets a dead process's staging lease, unless it was renewed (or taken again) since it was read. */
export async function deleteStagingLease(db: Executor, row: StagingLeaseRow): Promise<void> {
  await db
    .deleteFrom('job_runs')
    .where('name', '=', row.name)
    .where((eb) => (row.lease_until === null ? eb('lease_until', 'is', null) : eb('lease_until', '=', row.lease_until)))
    .execute();
}

/** The next page of calls with a stored or missing recording, by file name after `after` (its index). */
export async function recordingRowsByFileAfter(
  db: Executor,
  after: string,
  limit: number,
): Promise<Array<{ id: number; recording_file: string; recording_status: string | null }>> {
  // SQLite would pick the status index and sort every remaining recording again for each page (as above): walk
  // the file name index instead. PostgreSQL's planner walks it by itself for an ORDER BY with a LIMIT.
  const hint = sql.raw(engineOf(db) === 'postgres' ? '' : 'indexed by calls_recording_file_idx');
  const { rows } = await sql<{ id: number; recording_file: string; recording_status: string | null }>`
    select id, recording_file, recording_status from calls ${hint}
    where recording_file > ${after} and recording_status in ('stored', 'missing')
    order by recording_file limit ${limit}`.execute(db);
  return rows;
}
