import { Kysely } from 'kysely';

// Issue 16: beside a person's submitted answer, the answer the item's rule gave for the same call (with the rule's
// reason and first evidence time), so every rule can be measured against people on the calls both answered.
// One row per submitted standard scorecard and ruled item; `suggested` says whether the scoring form showed the
// rule's answer (the rubric was in suggest mode and the person scored on the form), `human_value` is the
// person's answer at submit (a later rescore updates it). Plain types only, so it works on PostgreSQL too.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('evaluation_auto_answers')
    .addColumn('evaluation_id', 'integer', (c) => c.notNull().references('evaluations.id').onDelete('cascade'))
    .addColumn('item_id', 'integer', (c) => c.notNull().references('rubric_items.id').onDelete('cascade'))
    .addColumn('rubric_id', 'integer', (c) => c.notNull().references('rubrics.id').onDelete('cascade'))
    .addColumn('call_id', 'integer', (c) => c.notNull().references('calls.id').onDelete('cascade'))
    // The rule's answer in stored form, or null when the rule could not answer (a fact was missing).
    .addColumn('rule_value', 'text')
    .addColumn('human_value', 'text')
    .addColumn('suggested', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('evidence_s', 'real')
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('evaluation_auto_answers_pk', ['evaluation_id', 'item_id'])
    .execute();
  // Accuracy per item of a rubric version, and the disagreements newest first.
  await db.schema
    .createIndex('evaluation_auto_answers_rubric_idx')
    .on('evaluation_auto_answers')
    .columns(['rubric_id', 'item_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('evaluation_auto_answers').execute();
}
