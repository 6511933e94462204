import { Kysely } from 'kysely';

// The sign-in throttle forgets a username or address a while after its last failure, and prunes rows by it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('login_throttle')
    .addColumn('last_failure_at', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('login_throttle_last_failure_idx')
    .on('login_throttle')
    .column('last_failure_at')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('login_throttle_last_failure_idx').execute();
  await db.schema.alterTable('login_throttle').dropColumn('last_failure_at').execute();
}
