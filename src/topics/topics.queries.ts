import { countRows } from '../db/fragments';
import { callQueue } from '../db/call-queue';
import type { Executor } from '../db/transaction';

// Every query of the topics room: the topics, the tags they put on calls, and the queue of calls to re-tag.

export async function listTopics(db: Executor) {
  return db.selectFrom('topics').selectAll().orderBy('name').execute();
}

export async function activeTopics(db: Executor) {
  return db.selectFrom('topics').selectAll().where('active', '=', 1).orderBy('id').execute();
}

export async function findTopic(db: Executor, id: number) {
  return db.selectFrom('topics').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function countTopics(db: Executor): Promise<number> {
  return countRows(db.selectFrom('topics'));
}

export async function insertTopic(db: Executor, values: { name: string; rule: string; active: number; now: string }) {
  const row = await db
    .insertInto('topics')
    .values({
      name: values.name,
      rule: values.rule,
      active: values.active,
      created_at: values.now,
      updated_at: values.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Saves a topic; a new rule (or turning it back on) starts its sweep over every analysed call again. */
export async function updateTopic(
  db: Executor,
  id: number,
  values: { name: string; rule: string; active: number; now: string; resweep: boolean },
): Promise<void> {
  await db
    .updateTable('topics')
    .set((eb) => ({
      name: values.name,
      rule: values.rule,
      active: values.active,
      updated_at: values.now,
      ...(values.resweep ? { version: eb('version', '+', 1), swept_to_call_id: 0 } : {}),
    }))
    .where('id', '=', id)
    .execute();
}

export async function deleteTopicRow(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('call_topics').where('topic_id', '=', id).execute();
  await db.deleteFrom('topics').where('id', '=', id).execute();
}

export async function topicVersion(db: Executor, id: number): Promise<number | null> {
  const row = await db.selectFrom('topics').select(['version', 'active']).where('id', '=', id).executeTakeFirst();
  return row && row.active === 1 ? row.version : null;
}

export async function setSweptTo(db: Executor, id: number, callId: number): Promise<void> {
  await db.updateTable('topics').set({ swept_to_call_id: callId }).where('id', '=', id).execute();
}

/** Analysed calls (audio analysed, or a transcript) after `afterId`, in id order. */
export async function analysedCallsAfter(db: Executor, afterId: number, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('calls')
    .leftJoin('call_analyses', 'call_analyses.call_id', 'calls.id')
    .select('calls.id')
    .where('calls.id', '>', afterId)
    .where((eb) => eb.or([eb('call_analyses.status', '=', 'done'), eb('calls.transcript', 'is not', null)]))
    .orderBy('calls.id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

const queue = callQueue('topic_tag_queue');

/** Queues a call to be re-tagged by every active topic (idempotent). */
export const queueCallForTopics = queue.add;
export const queuedCalls = queue.next;
export const unqueueCall = queue.remove;

export async function writeTag(
  db: Executor,
  tag: { call_id: number; topic_id: number; reason: string; evidence: string; tagged_at: string },
): Promise<void> {
  await db
    .insertInto('call_topics')
    .values(tag)
    .onConflict((oc) =>
      oc.columns(['call_id', 'topic_id']).doUpdateSet({
        reason: tag.reason,
        evidence: tag.evidence,
        tagged_at: tag.tagged_at,
      }),
    )
    .execute();
}

export async function removeTag(db: Executor, callId: number, topicId: number): Promise<void> {
  await db.deleteFrom('call_topics').where('call_id', '=', callId).where('topic_id', '=', topicId).execute();
}

/** The active topics a call is tagged with, by name. */
export async function tagsOfCall(db: Executor, callId: number) {
  return db
    .selectFrom('call_topics')
    .innerJoin('topics', 'topics.id', 'call_topics.topic_id')
    .select(['topics.id', 'topics.name', 'call_topics.reason', 'call_topics.evidence'])
    .where('call_topics.call_id', '=', callId)
    .where('topics.active', '=', 1)
    .orderBy('topics.name')
    .execute();
}

export async function tagCounts(db: Executor) {
  return db
    .selectFrom('call_topics')
    .select(['topic_id', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('topic_id')
    .execute();
}
