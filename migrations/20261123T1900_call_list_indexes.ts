import { Kysely } from 'kysely';

// Indexes that let the call list walk its sort order instead of sorting the whole table (measured in bench/).
export async function up(db: Kysely<any>): Promise<void> {
  for (const column of ['duration_s', 'hold_s', 'queue_wait_s', 'csat']) {
    await db.schema.createIndex(`calls_${column}_idx`).on('calls').columns([column, 'id']).execute();
  }
  await db.schema
    .createIndex('calls_category_started_idx')
    .on('calls')
    .columns(['category', 'started_at', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ['duration_s', 'hold_s', 'queue_wait_s', 'csat']) {
    await db.schema.dropIndex(`calls_${column}_idx`).execute();
  }
  await db.schema.dropIndex('calls_category_started_idx').execute();
}
