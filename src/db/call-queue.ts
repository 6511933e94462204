import type { Database } from './schema';
import type { Executor } from './transaction';

// A queue of calls to redo (auto mode's evaluations, call topics): a row per call, written in the transaction
// that changed the call's facts, taken off in the transaction that redid it. Oldest first.

/** The tables shaped as a call queue: a call id (the key) and when it was queued. */
export type CallQueueTable = {
  [K in keyof Database]: Database[K] extends { call_id: number; queued_at: string } ? K : never;
}[keyof Database];

export interface CallQueue {
  /** Queues a call (idempotent: a call queued already keeps its place). */
  add(db: Executor, callId: number, now: string): Promise<void>;
  /** The oldest queued calls, at most `limit`. */
  next(db: Executor, limit: number): Promise<number[]>;
  remove(db: Executor, callId: number): Promise<void>;
}

export function callQueue(table: CallQueueTable): CallQueue {
  return {
    async add(db, callId, now) {
      await db
        .insertInto(table)
        .values({ call_id: callId, queued_at: now })
        .onConflict((oc) => oc.column('call_id').doNothing())
        .execute();
    },
    async next(db, limit) {
      const rows = await db
        .selectFrom(table)
        .select('call_id')
        .orderBy('queued_at')
        .orderBy('call_id')
        .limit(limit)
        .execute();
      return rows.map((r) => r.call_id);
    },
    async remove(db, callId) {
      await db.deleteFrom(table).where('call_id', '=', callId).execute();
    },
  };
}
