import type { ConditionInput } from '../autoqa';
import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { countTopics, insertTopic } from './topics.queries';

// The topics a new center starts with: what customers say when they complain, threaten to cancel, ask for a
// manager, mention a competitor or dispute a bill. Phrase lists an admin adapts (competitor names especially).

const customerSays = (anyOf: string[]): ConditionInput => ({ phrase: { any_of: anyOf, speaker: 'customer' } });

export const DEFAULT_TOPICS: ReadonlyArray<{ name: string; rule: ConditionInput }> = [
  {
    name: 'Complaint',
    rule: customerSays([
      'I want to complain',
      'make a complaint',
      'file a complaint',
      'this is unacceptable',
      'not happy with',
      'very disappointed',
    ]),
  },
  {
    name: 'Threat to cancel',
    rule: customerSays([
      'cancel my account',
      'cancel my subscription',
      'close my account',
      'I want to cancel',
      'take my business elsewhere',
      'switch to another provider',
    ]),
  },
  {
    name: 'Asks for a manager',
    rule: customerSays([
      'speak to a manager',
      'talk to a manager',
      'speak to your manager',
      'speak to a supervisor',
      'talk to your supervisor',
      'someone in charge',
    ]),
  },
  {
    name: 'Mentions a competitor',
    rule: customerSays([
      'another company',
      'a competitor',
      'cheaper elsewhere',
      'better deal elsewhere',
      'other provider',
    ]),
  },
  {
    name: 'Billing dispute',
    rule: customerSays([
      'charged twice',
      'overcharged',
      'wrong amount',
      'my bill is wrong',
      'dispute the charge',
      'did not order',
    ]),
  },
];

/** Adds the default topics when the center has none yet (first setup). */
export async function ensureDefaultTopics(deps: AppDeps): Promise<void> {
  const now = deps.clock.now().toISOString();
  await inTransaction(deps.db, async (trx) => {
    if ((await countTopics(trx)) > 0) return;
    for (const topic of DEFAULT_TOPICS) {
      await insertTopic(trx, { name: topic.name, rule: JSON.stringify(topic.rule), active: 1, now });
    }
  });
}
