import { isUniqueViolation } from '../db/errors';
import type { DB } from '../db/database';
import { inTransaction, type Tx } from '../db/transaction';
import type { AppDeps } from '../deps';
import { Conflict, NotFound } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { topicTagging } from './topics.runner';
import { deleteTopicRow, findTopic, insertTopic, queueCallForTopics, tagsOfCall, updateTopic } from './topics.queries';
import { topicInputSchema } from './topics.schemas';

// Topics as the admin keeps them. Every change that can move tags (a new topic, a new rule, turning one back
// on) starts that topic's sweep over all analysed calls at once in the background; the sweep's position is
// stored, so it also resumes after a restart.

const TAKEN = 'A topic with that name already exists.';

async function unique<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict(TAKEN);
    throw err;
  }
}

function retagSoon(deps: AppDeps): void {
  topicTagging(deps)
    .run(deps)
    .catch((err: unknown) => deps.logger.error({ err }, 'call topic tagging failed'));
}

export async function createTopic(deps: AppDeps, raw: unknown): Promise<{ id: number; name: string }> {
  const input = parseInput(topicInputSchema, raw);
  const now = deps.clock.now().toISOString();
  const id = await unique(() =>
    inTransaction(deps.db, (trx) =>
      insertTopic(trx, { name: input.name, rule: JSON.stringify(input.rule), active: input.active ? 1 : 0, now }),
    ),
  );
  retagSoon(deps);
  return { id, name: input.name };
}

export async function topicOr404(db: DB, id: number) {
  const topic = await findTopic(db, id);
  if (!topic) throw new NotFound('No such topic.');
  return topic;
}

export async function saveTopic(deps: AppDeps, id: number, raw: unknown): Promise<{ name: string }> {
  const input = parseInput(topicInputSchema, raw);
  const now = deps.clock.now().toISOString();
  const rule = JSON.stringify(input.rule);
  await unique(() =>
    inTransaction(deps.db, async (trx) => {
      const topic = await findTopic(trx, id);
      if (!topic) throw new NotFound('No such topic.');
      const resweep = topic.rule !== rule || (input.active && topic.active === 0);
      await updateTopic(trx, id, { name: input.name, rule, active: input.active ? 1 : 0, now, resweep });
    }),
  );
  retagSoon(deps);
  return { name: input.name };
}

export async function deleteTopic(deps: AppDeps, id: number): Promise<{ name: string }> {
  return inTransaction(deps.db, async (trx) => {
    const topic = await findTopic(trx, id);
    if (!topic) throw new NotFound('No such topic.');
    await deleteTopicRow(trx, id);
    return { name: topic.name };
  });
}

/**
 * Marks a call whose transcript or analysis changed, inside the transaction that changed it, so its topics are
 * redone even when the process stops right after the commit.
 */
export async function callFactsChangedForTopics(trx: Tx, callId: number, now: string): Promise<void> {
  await queueCallForTopics(trx, callId, now);
}

export interface CallTopicView {
  id: number;
  name: string;
  reason: string;
  /** Where the first piece of evidence starts (seconds), to seek the recording; null when none. */
  at_s: number | null;
}

function firstEvidenceStart(evidence: string): number | null {
  try {
    const first = (JSON.parse(evidence) as Array<{ start_s?: unknown }>)[0]?.start_s;
    return typeof first === 'number' && first >= 0 ? first : null;
  } catch {
    return null;
  }
}

/** The topics a call is tagged with (staff pages only: silent monitoring). */
export async function topicsOfCall(db: DB, callId: number): Promise<CallTopicView[]> {
  const rows = await tagsOfCall(db, callId);
  return rows.map((row) => {
    const at = firstEvidenceStart(row.evidence);
    return { id: row.id, name: row.name, reason: row.reason, at_s: at };
  });
}

/** A topic's name for the call list's filter chip; undefined when there is no such topic. */
export async function topicName(db: DB, id: number): Promise<string | undefined> {
  return (await findTopic(db, id))?.name;
}
