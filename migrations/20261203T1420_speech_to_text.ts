import { Kysely, sql } from 'kysely';

// Speech-to-text in the analysis jobs: a transcript the engine wrote is marked as such (null: from the phone
// system or a person, which always wins), and an engine's failure is kept beside the analysis it did not fail.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('calls')
    .addColumn('transcript_source', 'text', (c) => c.check(sql`transcript_source in ('stt')`))
    .execute();
  await db.schema.alterTable('call_analyses').addColumn('stt_error', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('call_analyses').dropColumn('stt_error').execute();
  await db.schema.alterTable('calls').dropColumn('transcript_source').execute();
}
