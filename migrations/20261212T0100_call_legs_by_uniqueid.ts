import { Kysely, sql } from 'kysely';
import { engineOf } from '../src/db/dialect';

// Issue 18, the phone-system import's speed: a CDR import wrote each leg into four B-trees (the rowid table,
// the unique uniqueid, call_id and linkedid indexes), which made an Asterisk file slower per call than our own
// CSV. A leg's linkedid is always its call's external_id (the legs are grouped into calls by it), so the inbox
// finds a recording named by a linkedid through `calls` (source, external_id), and the column and its index
// go. The table is keyed by uniqueid (without rowid on SQLite), so a leg is one row in the key's B-tree plus
// the call_id index, which a call's deletion cascades through.
export async function up(db: Kysely<any>): Promise<void> {
  const suffix = engineOf(db) === 'postgres' ? '' : ' without rowid';
  await sql
    .raw(
      `create table call_legs_by_uniqueid (
    uniqueid text not null primary key,
    call_id integer not null references calls(id) on delete cascade
  )${suffix}`,
    )
    .execute(db);
  await db
    .insertInto('call_legs_by_uniqueid')
    .columns(['uniqueid', 'call_id'])
    .expression(db.selectFrom('call_legs').select(['uniqueid', 'call_id']))
    .execute();
  await db.schema.dropTable('call_legs').execute();
  await db.schema.alterTable('call_legs_by_uniqueid').renameTo('call_legs').execute();
  await db.schema.createIndex('call_legs_call_idx').on('call_legs').column('call_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('call_legs_with_id')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('call_id', 'integer', (c) => c.notNull().references('calls.id').onDelete('cascade'))
    .addColumn('uniqueid', 'text', (c) => c.notNull().unique())
    .addColumn('linkedid', 'text')
    .execute();
  await db
    .insertInto('call_legs_with_id')
    .columns(['call_id', 'uniqueid', 'linkedid'])
    .expression(
      db
        .selectFrom('call_legs')
        .innerJoin('calls', 'calls.id', 'call_legs.call_id')
        .select(['call_legs.call_id', 'call_legs.uniqueid', 'calls.external_id']),
    )
    .execute();
  await db.schema.dropTable('call_legs').execute();
  await db.schema.alterTable('call_legs_with_id').renameTo('call_legs').execute();
  await db.schema.createIndex('call_legs_call_idx').on('call_legs').column('call_id').execute();
  await db.schema.createIndex('call_legs_linkedid_idx').on('call_legs').column('linkedid').execute();
}
