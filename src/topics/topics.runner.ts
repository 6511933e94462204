import type { DB } from '../db/database';
import { PeriodicRunner } from '../db/periodic-runner';
import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { tagCall, topicRule } from './tagging';
import { activeTopics, analysedCallsAfter, queuedCalls, setSweptTo, topicVersion, unqueueCall } from './topics.queries';
import type { TopicRule } from './topics.schemas';

// The background tagging of calls by topics. Two sources of work:
//  - the queue: calls stored with a transcript, or whose transcript or analysis changed, marked in the
//    transaction that stored or changed them (so a call committed after a higher id is never missed, as can
//    happen on PostgreSQL); each is tagged by every active topic and taken off the queue in one transaction;
//  - each active topic's sweep over the analysed calls in id order, from its stored `swept_to_call_id` (reset to
//    0 when the rule changes), which also reaches new calls. The sweep's position is written with each batch, so
//    a restart resumes there; a batch re-checks the topic's version first and stops when the topic changed
//    meanwhile (the next run starts it over with the new rule).

async function loadTopicRules(db: DB): Promise<Array<TopicRule & { swept_to_call_id: number }>> {
  const rows = await activeTopics(db);
  return rows.flatMap((row) => {
    const rule = topicRule(row);
    return rule ? [{ ...rule, swept_to_call_id: row.swept_to_call_id }] : [];
  });
}

export class TopicTaggingRunner extends PeriodicRunner<AppDeps, number> {
  constructor() {
    // A change during a run is picked up by one more run right after it.
    super({ job: 'topic-tagging', failure: 'call topic tagging failed', rerunWhenAsked: true });
  }

  /** Runs until the queue is empty and every active topic has swept every analysed call; returns calls tagged. */
  protected async work(deps: AppDeps): Promise<number> {
    let tagged = 0;
    do {
      const topics = await loadTopicRules(deps.db);
      tagged += await this.drainQueue(deps, topics);
      for (const topic of topics) tagged += await this.sweep(deps, topic);
    } while (this.goAgain());
    return tagged;
  }

  private drainQueue(deps: AppDeps, topics: readonly TopicRule[]): Promise<number> {
    return this.inChunks(
      (limit) => queuedCalls(deps.db, limit),
      async (chunk) => {
        const now = deps.clock.now().toISOString();
        await inTransaction(deps.db, async (trx) => {
          for (const callId of chunk) {
            await tagCall(trx, callId, topics, now);
            await unqueueCall(trx, callId);
          }
        });
      },
    );
  }

  private sweep(deps: AppDeps, topic: TopicRule & { swept_to_call_id: number }): Promise<number> {
    let after = topic.swept_to_call_id;
    return this.inChunks(
      (limit) => analysedCallsAfter(deps.db, after, limit),
      async (chunk) => {
        const now = deps.clock.now().toISOString();
        const last = chunk[chunk.length - 1] ?? after;
        const current = await inTransaction(deps.db, async (trx) => {
          if ((await topicVersion(trx, topic.id)) !== topic.version) return false;
          for (const callId of chunk) await tagCall(trx, callId, [topic], now);
          await setSweptTo(trx, topic.id, last);
          return true;
        });
        if (!current) {
          this.askAgain();
          return false;
        }
        after = last;
        return true;
      },
    );
  }
}

const runners = new WeakMap<object, TopicTaggingRunner>();

/** The app's one tagging runner (keyed by its deps, so each test app has its own). */
export function topicTagging(deps: AppDeps): TopicTaggingRunner {
  let runner = runners.get(deps.db);
  if (!runner) {
    runner = new TopicTaggingRunner();
    runners.set(deps.db, runner);
  }
  return runner;
}
