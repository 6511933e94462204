import { Kysely, sql } from 'kysely';

// Issue 16: a rubric item may carry an automatic rule (JSON, answers in the stored form of an evaluation's
// answers), and a rubric says what the rules do: nothing, suggest answers, or score calls on their own.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('rubric_items').addColumn('auto_rule', 'text').execute();
  await db.schema
    .alterTable('rubrics')
    .addColumn('auto_mode', 'text', (c) =>
      c
        .notNull()
        .defaultTo('off')
        .check(sql`auto_mode in ('off', 'suggest', 'auto')`),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('rubrics').dropColumn('auto_mode').execute();
  await db.schema.alterTable('rubric_items').dropColumn('auto_rule').execute();
}
