import { Kysely } from 'kysely';

// ACD/CSV/PBX imports started from the page (issue 17): their state lives here, not in the memory of the process
// that runs them, so any app process answers the progress page. The running process holds a lease (`holder`
// until `lease_until`, renewed while it runs); a job whose lease ran out while it was still checking or writing
// belonged to a process that died, and is shown as failed (src/imports/import-jobs.ts).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('import_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('file_bytes', 'integer', (c) => c.notNull())
    .addColumn('checked_bytes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('summary', 'text')
    .addColumn('refused_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('holder', 'text')
    .addColumn('lease_until', 'text')
    .execute();
  await db.schema.createIndex('import_jobs_state_idx').on('import_jobs').columns(['state', 'lease_until']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('import_jobs').execute();
}
