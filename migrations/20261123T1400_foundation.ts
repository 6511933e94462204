import { Kysely, sql } from 'kysely';
import { engineOf } from '../src/db/dialect';

// Migrations are frozen once landed: change the schema with a new file, never by editing this one.
// (Dialect-aware since PostgreSQL: the SQL produced on SQLite is unchanged; test/db/sqlite-schema-frozen.test.ts.)
export async function up(db: Kysely<any>): Promise<void> {
  // PostgreSQL checks a reference when the table is created: users.team_id is tied to teams once teams exists.
  const pg = engineOf(db) === 'postgres';
  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('username', 'text', (c) =>
      c
        .notNull()
        .unique()
        .modifyEnd(sql`collate nocase`),
    )
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'manager', 'supervisor', 'csr')`))
    .addColumn('team_id', 'integer', (c) => (pg ? c : c.references('teams.id').onDelete('set null')))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('departments')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) =>
      c
        .notNull()
        .unique()
        .modifyEnd(sql`collate nocase`),
    )
    .addColumn('manager_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('budget_cents', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`budget_cents >= 0`),
    )
    .addColumn('budget_period', 'text', (c) =>
      c
        .notNull()
        .defaultTo('quarter')
        .check(sql`budget_period in ('month', 'quarter', 'year')`),
    )
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('teams')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull().modifyEnd(sql`collate nocase`))
    .addColumn('department_id', 'integer', (c) => c.notNull().references('departments.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('teams_department_name_unique', ['department_id', 'name'])
    .execute();
  if (pg) await postgresOnly(db);

  await db.schema
    .createTable('team_supervisors')
    .addColumn('team_id', 'integer', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('team_supervisors_pk', ['team_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('sid', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('login_throttle')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('window_started_at', 'integer', (c) => c.notNull())
    .addColumn('blocked_until', 'integer')
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text')
    .addColumn('entity_id', 'integer')
    .addColumn('details', 'text')
    .addColumn('ip', 'text')
    .execute();

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createIndex('users_team_idx').on('users').column('team_id').execute();
  await db.schema.createIndex('departments_manager_idx').on('departments').column('manager_id').execute();
  await db.schema.createIndex('teams_department_idx').on('teams').column('department_id').execute();
  await db.schema.createIndex('team_supervisors_user_idx').on('team_supervisors').column('user_id').execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();
  await db.schema.createIndex('sessions_expires_idx').on('sessions').column('expires_at').execute();
  await db.schema.createIndex('api_tokens_user_idx').on('api_tokens').column('user_id').execute();
  await db.schema.createIndex('audit_log_at_idx').on('audit_log').column('at').execute();
  await db.schema.createIndex('audit_log_entity_idx').on('audit_log').columns(['entity_type', 'entity_id']).execute();
}

/** What SQLite expressed in column definitions: the deferred reference, and `collate nocase` uniqueness. */
async function postgresOnly(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addForeignKeyConstraint('users_team_id_fkey', ['team_id'], 'teams', ['id'], (c) => c.onDelete('set null'))
    .execute();
  await sql`create unique index users_username_nocase_unique on users (lower(username))`.execute(db);
  await sql`create unique index departments_name_nocase_unique on departments (lower(name))`.execute(db);
  await sql`create unique index teams_department_name_nocase_unique on teams (department_id, lower(name))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const pg = engineOf(db) === 'postgres';
  for (const table of [
    'settings',
    'audit_log',
    'api_tokens',
    'login_throttle',
    'sessions',
    'team_supervisors',
    'users',
    'teams',
    'departments',
  ]) {
    await (pg ? db.schema.dropTable(table).cascade() : db.schema.dropTable(table)).execute();
  }
}
