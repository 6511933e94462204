import { Kysely } from 'kysely';

// Saved views of the call list: a person's named filter and sort (the list's query string), theirs alone.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('saved_call_views')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('saved_call_views_user_name_idx')
    .on('saved_call_views')
    .columns(['user_id', 'name'])
    .unique()
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('saved_call_views').execute();
}
