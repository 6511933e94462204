import type { ColumnType, Generated, Selectable } from 'kysely';

// Recordings inbox: every leg of a call imported from a phone system's CDR file, and the files the inbox
// sweeper saw.

/** A leg's uniqueid; its linkedid is its call's external_id (migrations/20261212T0100_call_legs_by_uniqueid). */
export interface CallLegsTable {
  uniqueid: string;
  call_id: number;
}

/**
 * pending: seen, waiting to be stable or for its call record; matched: stored on its call (and removed from
 * the inbox); unmatched: no call record within the hold time; rejected: not a recording, or an unreadable
 * name; duplicate: its call already has a recording; dismissed: an admin set it aside.
 */
export type InboxFileStatus = 'pending' | 'matched' | 'unmatched' | 'rejected' | 'duplicate' | 'dismissed';

export interface InboxFilesTable {
  id: Generated<number>;
  name: string;
  size: number;
  mtime_ms: number;
  first_seen: string;
  /** When the sweeper first saw the file's current size and mtime (it is taken once they held long enough). */
  stable_since: string | null;
  status: ColumnType<InboxFileStatus, InboxFileStatus | undefined, InboxFileStatus>;
  reason: string | null;
  call_id: number | null;
  updated: string;
}

export type InboxFile = Selectable<InboxFilesTable>;
