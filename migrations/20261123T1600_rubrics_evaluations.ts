import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rubrics')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('family_id', 'integer')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('draft')
        .check(sql`status in ('draft', 'published', 'retired')`),
    )
    .addColumn('pass_threshold', 'real', (c) =>
      c
        .notNull()
        .defaultTo(75)
        .check(sql`pass_threshold between 0 and 100`),
    )
    .addColumn('release_mode', 'text', (c) =>
      c
        .notNull()
        .defaultTo('on_submit')
        .check(sql`release_mode in ('on_submit', 'after_days', 'manual', 'never')`),
    )
    .addColumn('release_after_days', 'integer')
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text')
    .addColumn('retired_at', 'text')
    .execute();
  await db.schema
    .createIndex('rubrics_family_version_unique')
    .on('rubrics')
    .columns(['family_id', 'version'])
    .unique()
    .execute();
  await db.schema.createIndex('rubrics_status_idx').on('rubrics').column('status').execute();

  await db.schema
    .createTable('rubric_sections')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('rubric_id', 'integer', (c) => c.notNull().references('rubrics.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('weight', 'real', (c) => c.notNull().check(sql`weight > 0`))
    .addColumn('threshold', 'real', (c) => c.check(sql`threshold between 0 and 100`))
    .execute();
  await db.schema
    .createIndex('rubric_sections_rubric_idx')
    .on('rubric_sections')
    .columns(['rubric_id', 'position'])
    .execute();

  await db.schema
    .createTable('rubric_items')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('rubric_id', 'integer', (c) => c.notNull().references('rubrics.id').onDelete('cascade'))
    .addColumn('section_id', 'integer', (c) => c.notNull().references('rubric_sections.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('prompt', 'text', (c) => c.notNull())
    .addColumn('guidance', 'text')
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('yes_no', 'scale', 'choice')`))
    .addColumn('max_points', 'real', (c) => c.notNull().check(sql`max_points > 0`))
    .addColumn('allow_na', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('critical', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('comment_required', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('rubric_items_section_idx')
    .on('rubric_items')
    .columns(['section_id', 'position'])
    .execute();
  await db.schema.createIndex('rubric_items_rubric_idx').on('rubric_items').column('rubric_id').execute();

  await db.schema
    .createTable('rubric_options')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('item_id', 'integer', (c) => c.notNull().references('rubric_items.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('points', 'real', (c) => c.notNull().check(sql`points >= 0`))
    .execute();
  await db.schema
    .createIndex('rubric_options_item_idx')
    .on('rubric_options')
    .columns(['item_id', 'position'])
    .execute();

  await db.schema
    .createTable('evaluations')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('call_id', 'integer', (c) => c.notNull().references('calls.id').onDelete('cascade'))
    .addColumn('rubric_id', 'integer', (c) => c.notNull().references('rubrics.id'))
    .addColumn('agent_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('team_id', 'integer', (c) => c.references('teams.id'))
    .addColumn('evaluator_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('kind', 'text', (c) =>
      c
        .notNull()
        .defaultTo('standard')
        .check(sql`kind in ('standard', 'calibration')`),
    )
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('draft')
        .check(sql`status in ('draft', 'submitted', 'released', 'acknowledged')`),
    )
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('rescore_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('score', 'real')
    .addColumn('raw_score', 'real')
    .addColumn('passed', 'integer')
    .addColumn('critical_failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('section_scores', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('comment', 'text')
    .addColumn('time_spent_s', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'integer', (c) => c.references('users.id'))
    .addColumn('submitted_at', 'text')
    .addColumn('release_due_at', 'text')
    .addColumn('released_at', 'text')
    .addColumn('acknowledged_at', 'text')
    .addColumn('ack_comment', 'text')
    .execute();
  // One supervisor has one open draft per call and rubric.
  await db.schema
    .createIndex('evaluations_one_draft')
    .on('evaluations')
    .columns(['call_id', 'rubric_id', 'evaluator_id'])
    .unique()
    .where(sql.ref('status'), '=', 'draft')
    .execute();
  await db.schema.createIndex('evaluations_call_idx').on('evaluations').column('call_id').execute();
  await db.schema
    .createIndex('evaluations_agent_idx')
    .on('evaluations')
    .columns(['agent_id', 'status', 'submitted_at'])
    .execute();
  await db.schema
    .createIndex('evaluations_team_idx')
    .on('evaluations')
    .columns(['team_id', 'status', 'submitted_at'])
    .execute();
  await db.schema
    .createIndex('evaluations_evaluator_idx')
    .on('evaluations')
    .columns(['evaluator_id', 'status', 'updated_at'])
    .execute();
  await db.schema
    .createIndex('evaluations_release_due_idx')
    .on('evaluations')
    .columns(['status', 'release_due_at'])
    .execute();
  await db.schema.createIndex('evaluations_rubric_idx').on('evaluations').column('rubric_id').execute();

  await db.schema
    .createTable('evaluation_answers')
    .addColumn('evaluation_id', 'integer', (c) => c.notNull().references('evaluations.id').onDelete('cascade'))
    .addColumn('item_id', 'integer', (c) => c.notNull().references('rubric_items.id'))
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('points', 'real')
    .addColumn('max_points', 'real')
    .addColumn('comment', 'text')
    .addColumn('at_s', 'real')
    .addPrimaryKeyConstraint('evaluation_answers_pk', ['evaluation_id', 'item_id'])
    .execute();
  await db.schema.createIndex('evaluation_answers_item_idx').on('evaluation_answers').column('item_id').execute();

  await db.schema
    .createTable('evaluation_revisions')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('evaluation_id', 'integer', (c) => c.notNull().references('evaluations.id').onDelete('cascade'))
    .addColumn('snapshot', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('replaced_by', 'integer', (c) => c.references('users.id'))
    .addColumn('replaced_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('evaluation_revisions_eval_idx')
    .on('evaluation_revisions')
    .column('evaluation_id')
    .execute();

  await db.schema
    .createTable('coaching_tasks')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('csr_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('assignee_id', 'integer', (c) => c.references('users.id'))
    .addColumn('team_id', 'integer', (c) => c.references('teams.id'))
    .addColumn('evaluation_id', 'integer', (c) => c.references('evaluations.id').onDelete('set null'))
    .addColumn('parent_task_id', 'integer', (c) => c.references('coaching_tasks.id'))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('open')
        .check(sql`status in ('open', 'scheduled', 'completed', 'acknowledged', 'cancelled')`),
    )
    .addColumn('focus', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('scheduled_at', 'text')
    .addColumn('completed_at', 'text')
    .addColumn('notes', 'text')
    .addColumn('actions', 'text')
    .addColumn('acknowledged_at', 'text')
    .addColumn('cancelled_at', 'text')
    .addColumn('cancel_note', 'text')
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('coaching_tasks_one_per_evaluation')
    .on('coaching_tasks')
    .column('evaluation_id')
    .unique()
    .where(sql.ref('evaluation_id'), 'is not', null)
    .execute();
  await db.schema.createIndex('coaching_tasks_csr_idx').on('coaching_tasks').columns(['csr_id', 'status']).execute();
  await db.schema
    .createIndex('coaching_tasks_team_idx')
    .on('coaching_tasks')
    .columns(['team_id', 'status', 'due_at'])
    .execute();
  await db.schema
    .createIndex('coaching_tasks_assignee_idx')
    .on('coaching_tasks')
    .columns(['assignee_id', 'status'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'coaching_tasks',
    'evaluation_revisions',
    'evaluation_answers',
    'evaluations',
    'rubric_options',
    'rubric_items',
    'rubric_sections',
    'rubrics',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
