import { Kysely } from 'kysely';

// A user's phone extension, so a phone system's call records (Asterisk, FreeSWITCH) find the agent who answered.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('extension', 'text').execute();
  // Unique when set: several users without an extension (null) are allowed on SQLite and PostgreSQL alike.
  await db.schema.createIndex('users_extension_unique').on('users').column('extension').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('users_extension_unique').execute();
  await db.schema.alterTable('users').dropColumn('extension').execute();
}
