import { Kysely } from 'kysely';

// Recordings inbox (issue 18): the phone system writes each call's recording into a folder, named with the
// uniqueid of the leg that recorded it (FreePBX/Asterisk MixMonitor). `call_legs` keeps every leg's ids of a
// call imported from a CDR file, so a file is matched by any leg's uniqueid or linkedid; `inbox_files` is the
// sweeper's record of each file it saw (held, taken, or reported on the admin page: never silently dropped).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('call_legs')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('call_id', 'integer', (c) => c.notNull().references('calls.id').onDelete('cascade'))
    .addColumn('uniqueid', 'text', (c) => c.notNull().unique())
    .addColumn('linkedid', 'text')
    .execute();
  await db.schema.createIndex('call_legs_call_idx').on('call_legs').column('call_id').execute();
  await db.schema.createIndex('call_legs_linkedid_idx').on('call_legs').column('linkedid').execute();

  await db.schema
    .createTable('inbox_files')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('mtime_ms', 'bigint', (c) => c.notNull())
    .addColumn('first_seen', 'text', (c) => c.notNull())
    .addColumn('stable_since', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('reason', 'text')
    .addColumn('call_id', 'integer', (c) => c.references('calls.id').onDelete('set null'))
    .addColumn('updated', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inbox_files_status_idx').on('inbox_files').column('status').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('inbox_files').execute();
  await db.schema.dropTable('call_legs').execute();
}
