import { Kysely } from 'kysely';

// A user's email address, so single sign-on finds the account of a person its identity provider vouches for.
// Stored lower-case (the app folds it), so the plain unique index is a case-insensitive one.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('email', 'text').execute();
  // Unique when set: several users without an email (null) are allowed on SQLite and PostgreSQL alike.
  await db.schema.createIndex('users_email_unique').on('users').column('email').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('users_email_unique').execute();
  await db.schema.alterTable('users').dropColumn('email').execute();
}
