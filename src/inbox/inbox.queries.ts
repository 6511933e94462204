import type { DB } from '../db/database';
import type { Executor } from '../db/transaction';
import type { InboxFile, InboxFileStatus } from '../db/schema';

export async function findInboxFile(db: Executor, name: string): Promise<InboxFile | undefined> {
  return db.selectFrom('inbox_files').selectAll().where('name', '=', name).executeTakeFirst();
}

export async function findInboxFileById(db: Executor, id: number): Promise<InboxFile | undefined> {
  return db.selectFrom('inbox_files').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface SeenFile {
  name: string;
  size: number;
  mtime_ms: number;
}

/** A file seen for the first time: pending, its size and time as they are now. */
export async function insertSeenFile(db: Executor, file: SeenFile, now: string): Promise<void> {
  await db
    .insertInto('inbox_files')
    .values({ ...file, first_seen: now, stable_since: now, status: 'pending', reason: null, updated: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

/** The file changed since the last sweep (still being written): its new size and time, stable from now. */
export async function noteChanged(db: Executor, id: number, file: SeenFile, now: string): Promise<void> {
  await db
    .updateTable('inbox_files')
    .set({ size: file.size, mtime_ms: file.mtime_ms, stable_since: now, updated: now })
    .where('id', '=', id)
    .execute();
}

export async function setStatus(
  db: Executor,
  id: number,
  status: InboxFileStatus,
  now: string,
  extra: { reason?: string | null; call_id?: number | null } = {},
): Promise<void> {
  await db
    .updateTable('inbox_files')
    .set({ status, updated: now, ...extra })
    .where('id', '=', id)
    .execute();
}

/** A rejected file's row, written at once (a name the pattern does not read is never taken). */
export async function upsertRejected(db: Executor, file: SeenFile, reason: string, now: string): Promise<void> {
  await db
    .insertInto('inbox_files')
    .values({ ...file, first_seen: now, stable_since: now, status: 'rejected', reason, updated: now })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

/**
 * The call a recording leg's id belongs to: any leg's uniqueid, else the call's own id (which is its legs'
 * linkedid).
 */
export async function callForUniqueid(db: Executor, uniqueid: string): Promise<number | null> {
  const leg = await db.selectFrom('call_legs').select('call_id').where('uniqueid', '=', uniqueid).executeTakeFirst();
  if (leg) return leg.call_id;
  const call = await db
    .selectFrom('calls')
    .select('id')
    .where('source', 'in', ['asterisk', 'freeswitch'])
    .where('external_id', '=', uniqueid)
    .orderBy('id')
    .executeTakeFirst();
  return call?.id ?? null;
}

/** The files to show on the admin page: everything not taken, newest first. */
export async function listReported(db: DB, limit: number): Promise<InboxFile[]> {
  return db
    .selectFrom('inbox_files')
    .selectAll()
    .where('status', 'in', OPEN_STATUSES)
    .orderBy('first_seen', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** Rows of files no longer in the folder (removed by someone else), pending or reported: they go. */
export async function forgetRows(db: Executor, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('inbox_files').where('id', 'in', ids).execute();
}

export const OPEN_STATUSES: InboxFileStatus[] = ['pending', 'unmatched', 'rejected', 'duplicate'];

/** The rows of files still waiting (held or reported), to forget those whose file has gone. */
export async function openRows(db: Executor): Promise<Array<Pick<InboxFile, 'id' | 'name'>>> {
  return db.selectFrom('inbox_files').select(['id', 'name']).where('status', 'in', OPEN_STATUSES).execute();
}

/** A reported file tried again: pending as if just seen, so its hold starts over. */
export async function reopen(db: Executor, id: number, now: string): Promise<boolean> {
  const result = await db
    .updateTable('inbox_files')
    // It held still before it was reported: taken on the next sweep unless it changed since (then it waits again).
    .set({ status: 'pending', reason: null, first_seen: now, stable_since: new Date(0).toISOString(), updated: now })
    .where('id', '=', id)
    .where('status', 'in', ['unmatched', 'rejected', 'duplicate'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** A reported file set aside by an admin: off the page, left in the folder. */
export async function dismiss(db: Executor, id: number, now: string): Promise<boolean> {
  const result = await db
    .updateTable('inbox_files')
    .set({ status: 'dismissed', updated: now })
    .where('id', '=', id)
    .where('status', 'in', ['unmatched', 'rejected', 'duplicate'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
