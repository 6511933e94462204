import type { ColumnType, Generated, Selectable } from 'kysely';

// Call topics (issue 16): admin-defined conditions that tag every analysed call, the tags with their reason
// and evidence, and the queue of calls whose facts changed.

export interface TopicsTable {
  id: Generated<number>;
  /** Unique regardless of case. */
  name: string;
  /** JSON: a condition in the rule language (a rubric item rule's `when`). */
  rule: string;
  active: ColumnType<number, number | undefined, number>;
  /** Goes up when the rule changes or the topic is turned back on: a sweep under way stops and starts over. */
  version: ColumnType<number, number | undefined, number>;
  /** The topic's sweep over analysed calls has tagged every call with an id up to this; 0 after a change. */
  swept_to_call_id: ColumnType<number, number | undefined, number>;
  created_at: string;
  updated_at: string;
}

export interface CallTopicsTable {
  call_id: number;
  topic_id: number;
  reason: string;
  /** JSON: [{"kind", "start_s", "end_s", "speaker", "text", "match"}] */
  evidence: string;
  tagged_at: string;
}

export interface TopicTagQueueTable {
  call_id: number;
  queued_at: string;
}

export interface TopicTables {
  topics: TopicsTable;
  call_topics: CallTopicsTable;
  topic_tag_queue: TopicTagQueueTable;
}

export type Topic = Selectable<TopicsTable>;
