import { Kysely, sql } from 'kysely';

// Issue 16, call topics: conditions an admin defines (the rule language of rubric items' `when`) tag every
// analysed call, so the customer report's topic trends cover all calls. call_topics holds one row per call and
// topic that matched, with the reason and evidence. topic_tag_queue holds the calls whose facts changed
// (written in the same transaction as the change); topics.swept_to_call_id is each topic's sweep over the
// analysed calls in id order, reset to 0 when its rule changes, so a restart resumes where the sweep stopped.
// Portable: plain integer/text columns, ISO-8601 text timestamps, a lower(name) unique index on both engines.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('topics')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull())
    // JSON: a condition, as a rubric item rule's `when`.
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    // Counts changes of the rule (and turning it back on): a sweep under way checks it before each write.
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('swept_to_call_id', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await sql`create unique index topics_name_lower_uq on topics (lower(name))`.execute(db);
  await db.schema
    .createTable('call_topics')
    .addColumn('call_id', 'integer', (c) => c.notNull().references('calls.id').onDelete('cascade'))
    .addColumn('topic_id', 'integer', (c) => c.notNull().references('topics.id').onDelete('cascade'))
    .addColumn('reason', 'text', (c) => c.notNull())
    // JSON: [{"kind", "start_s", "end_s", "speaker", "text", "match"}]
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('tagged_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('call_topics_pk', ['call_id', 'topic_id'])
    .execute();
  // The report joins a topic's rows to calls in a period; the call list filters calls by topic.
  await db.schema
    .createIndex('call_topics_topic_call_idx')
    .on('call_topics')
    .columns(['topic_id', 'call_id'])
    .execute();
  await db.schema
    .createTable('topic_tag_queue')
    .addColumn('call_id', 'integer', (c) => c.primaryKey().references('calls.id').onDelete('cascade'))
    .addColumn('queued_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('topic_tag_queue').execute();
  await db.schema.dropTable('call_topics').execute();
  await db.schema.dropTable('topics').execute();
}
