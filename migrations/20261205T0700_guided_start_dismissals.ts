import { Kysely } from 'kysely';

// The admin's guided start on the home page: its steps are worked out from the data; only "hide it" is stored,
// per person, so one admin hiding it does not hide it for another.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('guided_start_dismissals')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('dismissed_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('guided_start_dismissals').execute();
}
