import { conditionSchema, evaluateCondition, evidenceJson, loadCallFacts } from '../autoqa';
import type { Tx } from '../db/transaction';
import type { Topic } from '../db/schema';
import { removeTag, writeTag } from './topics.queries';
import type { TopicRule } from './topics.schemas';

// One call tagged by some topics: a topic whose condition holds tags the call (with the reason and evidence
// that decided it); one that does not hold, or cannot be decided (no transcript, audio not analysed), removes
// the tag. Idempotent, so a batch done twice after a crash gives the same tags.

/** A stored topic's condition, or null when the stored text no longer parses (never tags anything). */
export function topicRule(topic: Pick<Topic, 'id' | 'name' | 'rule' | 'version'>): TopicRule | null {
  let input: unknown;
  try {
    input = JSON.parse(topic.rule) as unknown;
  } catch {
    return null;
  }
  const parsed = conditionSchema.safeParse(input);
  return parsed.success ? { id: topic.id, name: topic.name, when: parsed.data, version: topic.version } : null;
}

/** Tags (or untags) the call by each of the topics, inside the caller's transaction. */
export async function tagCall(trx: Tx, callId: number, topics: readonly TopicRule[], now: string): Promise<void> {
  const facts = await loadCallFacts(trx, callId);
  if (!facts) return;
  for (const topic of topics) {
    const result = evaluateCondition(topic.when, facts);
    if (result.value === true) {
      await writeTag(trx, {
        call_id: callId,
        topic_id: topic.id,
        reason: result.reason,
        evidence: JSON.stringify(result.evidence.map(evidenceJson)),
        tagged_at: now,
      });
    } else {
      await removeTag(trx, callId, topic.id);
    }
  }
}
