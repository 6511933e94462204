import { setImmediate as yieldToRequests } from 'node:timers/promises';
import type { DB } from '../db/database';
import { runJobOnce } from '../db/exclusive';
import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { tagCall, topicRule } from './tagging';
import { activeTopics, analysedCallsAfter, queuedCalls, setSweptTo, topicVersion, unqueueCall } from './topics.queries';
import type { TopicRule } from './topics.schemas';

// The background tagging of calls by topics. Two sources of work:
//  - the queue: calls whose transcript or analysis changed, marked in the transaction that changed them; each is
//    tagged by every active topic and taken off the queue in the same transaction;
//  - each active topic's sweep over the analysed calls in id order, from its stored `swept_to_call_id` (reset to
//    0 when the rule changes), which also reaches new calls. The sweep's position is written with each batch, so
//    a restart resumes there; a batch re-checks the topic's version first and stops when the topic changed
//    meanwhile (the next run starts it over with the new rule).

const BATCH = 200;
const PER_TRANSACTION = 25;

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

async function loadTopicRules(db: DB): Promise<Array<TopicRule & { swept_to_call_id: number }>> {
  const rows = await activeTopics(db);
  return rows.flatMap((row) => {
    const rule = topicRule(row);
    return rule ? [{ ...rule, swept_to_call_id: row.swept_to_call_id }] : [];
  });
}

export class TopicTaggingRunner {
  private running: Promise<number> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;

  /** Runs until the queue is empty and every active topic has swept every analysed call; returns calls tagged. */
  run(deps: AppDeps): Promise<number> {
    if (this.running) {
      // A change during a run is picked up by one more run right after it.
      this.again = true;
      return this.running;
    }
    this.running = this.work(deps).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Runs now and then every `everyMs`, until stopped; in one app process at a time. */
  start(deps: AppDeps, everyMs = 15_000): void {
    const tick = () => {
      runJobOnce(deps.db, 'topic-tagging', () => this.run(deps)).catch((err: unknown) =>
        deps.logger.error({ err }, 'call topic tagging failed'),
      );
    };
    tick();
    this.timer = setInterval(tick, everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async work(deps: AppDeps): Promise<number> {
    let tagged = 0;
    do {
      this.again = false;
      const topics = await loadTopicRules(deps.db);
      tagged += await this.drainQueue(deps, topics);
      for (const topic of topics) tagged += await this.sweep(deps, topic);
    } while (this.again && !this.stopping);
    return tagged;
  }

  private async drainQueue(deps: AppDeps, topics: readonly TopicRule[]): Promise<number> {
    let tagged = 0;
    for (;;) {
      const calls = await queuedCalls(deps.db, BATCH);
      for (const chunk of chunks(calls, PER_TRANSACTION)) {
        if (this.stopping) return tagged;
        const now = deps.clock.now().toISOString();
        await inTransaction(deps.db, async (trx) => {
          for (const callId of chunk) {
            await tagCall(trx, callId, topics, now);
            await unqueueCall(trx, callId);
          }
        });
        tagged += chunk.length;
      }
      if (calls.length < BATCH) return tagged;
      await yieldToRequests();
    }
  }

  private async sweep(deps: AppDeps, topic: TopicRule & { swept_to_call_id: number }): Promise<number> {
    let tagged = 0;
    let after = topic.swept_to_call_id;
    for (;;) {
      const calls = await analysedCallsAfter(deps.db, after, BATCH);
      for (const chunk of chunks(calls, PER_TRANSACTION)) {
        if (this.stopping) return tagged;
        const now = deps.clock.now().toISOString();
        const last = chunk[chunk.length - 1] ?? after;
        const current = await inTransaction(deps.db, async (trx) => {
          if ((await topicVersion(trx, topic.id)) !== topic.version) return false;
          for (const callId of chunk) await tagCall(trx, callId, [topic], now);
          await setSweptTo(trx, topic.id, last);
          return true;
        });
        if (!current) {
          this.again = true;
          return tagged;
        }
        after = last;
        tagged += chunk.length;
      }
      if (calls.length < BATCH) return tagged;
      await yieldToRequests();
    }
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
