import { Kysely } from 'kysely';

// Several app processes on one PostgreSQL database (issue 17): a background job (release, retention, sampling
// top-up, roll-up refresh, automatic evaluations) runs in one process at a time, and a periodic one once per
// period across them. A process takes a job by a conditional update of its row here (a lease: `holder` until
// `lease_until`, renewed while it runs, so a killed process's lease runs out); `finished_at` is its last
// finished run. src/db/exclusive.ts; SQLite (one process) never uses it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('job_runs')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('finished_at', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('job_runs').execute();
}
