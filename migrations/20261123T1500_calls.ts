import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('calls')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('default'))
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'integer', (c) => c.references('users.id'))
    .addColumn('team_id', 'integer', (c) => c.references('teams.id'))
    .addColumn('queue', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull().check(sql`direction in ('inbound', 'outbound')`))
    .addColumn('category', 'text')
    .addColumn('queue_wait_s', 'real', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`queue_wait_s >= 0`),
    )
    .addColumn('hold_s', 'real', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`hold_s >= 0`),
    )
    .addColumn('duration_s', 'real', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`duration_s >= 0`),
    )
    .addColumn('csat', 'integer', (c) => c.check(sql`csat between 1 and 5`))
    .addColumn('abandoned', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('evaluation_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('recording_status', 'text', (c) => c.check(sql`recording_status in ('stored', 'missing', 'deleted')`))
    .addColumn('recording_file', 'text')
    .addColumn('recording_original_name', 'text')
    .addColumn('recording_mime', 'text')
    .addColumn('recording_bytes', 'integer')
    .addColumn('recording_sha256', 'text')
    .addColumn('recording_codec', 'text')
    .addColumn('recording_channels', 'integer')
    .addColumn('recording_sample_rate', 'integer')
    .addColumn('recording_duration_s', 'real')
    .addColumn('recording_deleted_at', 'text')
    .addColumn('transcript_format', 'text', (c) => c.check(sql`transcript_format in ('vtt', 'text')`))
    .addColumn('transcript', 'text')
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('calls_source_external_id_unique', ['source', 'external_id'])
    .execute();

  await db.schema.createIndex('calls_team_started_idx').on('calls').columns(['team_id', 'started_at', 'id']).execute();
  await db.schema
    .createIndex('calls_agent_started_idx')
    .on('calls')
    .columns(['agent_id', 'started_at', 'id'])
    .execute();
  await db.schema.createIndex('calls_started_idx').on('calls').columns(['started_at', 'id']).execute();
  await db.schema
    .createIndex('calls_team_category_started_idx')
    .on('calls')
    .columns(['team_id', 'category', 'started_at'])
    .execute();
  await db.schema
    .createIndex('calls_recording_status_idx')
    .on('calls')
    .columns(['recording_status', 'started_at'])
    .where(sql.ref('recording_status'), 'is not', null)
    .execute();
  await db.schema.createIndex('calls_recording_file_idx').on('calls').column('recording_file').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('calls').execute();
}
