import { Kysely } from 'kysely';

// Issue 16, auto mode: a rubric in auto mode scores every analysed call with no person involved. Automatic
// evaluations live apart from human scorecards (never released, never coaching, counted only in coverage
// reports), one per call and rubric family, replaced when the call's facts or the published version change.
// auto_evaluation_queue holds the calls whose facts changed (written in the same transaction as the change, so a
// crash loses nothing); auto_item_day sums the answers per UTC day of the call for the coverage report, kept in
// step in the same transaction as every automatic evaluation written or replaced.
// Portable: plain integer/text/real columns, ISO-8601 text timestamps, no triggers.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('auto_evaluations')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('call_id', 'integer', (c) => c.notNull().references('calls.id').onDelete('cascade'))
    .addColumn('family_id', 'integer', (c) => c.notNull())
    .addColumn('rubric_id', 'integer', (c) => c.notNull().references('rubrics.id'))
    .addColumn('team_id', 'integer')
    .addColumn('agent_id', 'integer')
    .addColumn('call_day', 'text', (c) => c.notNull())
    .addColumn('answered', 'integer', (c) => c.notNull())
    .addColumn('failed', 'integer', (c) => c.notNull())
    .addColumn('score', 'real')
    .addColumn('raw_score', 'real')
    .addColumn('passed', 'integer')
    .addColumn('critical_failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('evaluated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('auto_evaluations_call_family_uq', ['call_id', 'family_id'])
    .execute();
  await db.schema
    .createIndex('auto_evaluations_rubric_idx')
    .on('auto_evaluations')
    .columns(['rubric_id', 'call_id'])
    .execute();
  await db.schema
    .createTable('auto_evaluation_answers')
    .addColumn('auto_evaluation_id', 'integer', (c) =>
      c.notNull().references('auto_evaluations.id').onDelete('cascade'),
    )
    .addColumn('item_id', 'integer', (c) => c.notNull().references('rubric_items.id'))
    .addColumn('value', 'text')
    .addColumn('failed', 'integer')
    .addColumn('reason', 'text', (c) => c.notNull())
    // JSON: [{"kind", "start_s", "end_s", "speaker", "text", "match"}]
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('auto_evaluation_answers_pk', ['auto_evaluation_id', 'item_id'])
    .execute();
  await db.schema
    .createTable('auto_evaluation_queue')
    .addColumn('call_id', 'integer', (c) => c.primaryKey().references('calls.id').onDelete('cascade'))
    .addColumn('queued_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('auto_item_day')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('rubric_id', 'integer', (c) => c.notNull())
    .addColumn('item_id', 'integer', (c) => c.notNull())
    .addColumn('team_id', 'integer', (c) => c.notNull())
    .addColumn('agent_id', 'integer', (c) => c.notNull())
    .addColumn('answered', 'integer', (c) => c.notNull())
    .addColumn('failed', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('auto_item_day_pk', ['rubric_id', 'day', 'team_id', 'agent_id', 'item_id'])
    .execute();
  // The calls per day: automatically evaluated (analysed calls reached) and answered (at least one item).
  await db.schema
    .createTable('auto_call_day')
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('rubric_id', 'integer', (c) => c.notNull())
    .addColumn('team_id', 'integer', (c) => c.notNull())
    .addColumn('agent_id', 'integer', (c) => c.notNull())
    .addColumn('evaluated', 'integer', (c) => c.notNull())
    .addColumn('answered', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('auto_call_day_pk', ['rubric_id', 'day', 'team_id', 'agent_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('auto_call_day').execute();
  await db.schema.dropTable('auto_item_day').execute();
  await db.schema.dropTable('auto_evaluation_queue').execute();
  await db.schema.dropTable('auto_evaluation_answers').execute();
  await db.schema.dropTable('auto_evaluations').execute();
}
