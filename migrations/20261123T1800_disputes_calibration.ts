import { Kysely, sql } from 'kysely';

// Disputes (per-rubric rules, a dispute per CSR request with its items) and calibration sessions (blind
// scoring of one call by several evaluators). Calibration evaluations are rows of `evaluations` with
// kind = 'calibration'; the one-draft rule now covers standard drafts only, so an evaluator's calibration
// draft never collides with their standard draft of the same call and rubric.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('rubrics')
    .addColumn('disputes_enabled', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(1)
        .check(sql`disputes_enabled in (0, 1)`),
    )
    .execute();
  await db.schema
    .alterTable('rubrics')
    .addColumn('dispute_limit', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(2)
        .check(sql`dispute_limit between 1 and 10`),
    )
    .execute();
  await db.schema
    .alterTable('rubrics')
    .addColumn('dispute_window_days', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(14)
        .check(sql`dispute_window_days between 1 and 365`),
    )
    .execute();
  await db.schema
    .alterTable('rubrics')
    .addColumn('dispute_reviewer', 'text', (c) =>
      c
        .notNull()
        .defaultTo('supervisor')
        .check(sql`dispute_reviewer in ('supervisor', 'manager')`),
    )
    .execute();

  await db.schema.dropIndex('evaluations_one_draft').execute();
  await db.schema
    .createIndex('evaluations_one_standard_draft')
    .on('evaluations')
    .columns(['call_id', 'rubric_id', 'evaluator_id'])
    .unique()
    .where(sql.ref('status'), '=', 'draft')
    .where(sql.ref('kind'), '=', 'standard')
    .execute();
  await db.schema.createIndex('evaluations_kind_idx').on('evaluations').columns(['kind', 'evaluator_id']).execute();

  await db.schema
    .createTable('disputes')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('evaluation_id', 'integer', (c) => c.notNull().references('evaluations.id').onDelete('cascade'))
    .addColumn('csr_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('team_id', 'integer', (c) => c.references('teams.id'))
    .addColumn('evaluator_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('assignee_id', 'integer', (c) => c.references('users.id'))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('open')
        .check(sql`status in ('open', 'upheld', 'rescored')`),
    )
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('score_before', 'real')
    .addColumn('score_after', 'real')
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .addColumn('resolved_by', 'integer', (c) => c.references('users.id'))
    .addColumn('resolution_reason', 'text')
    .execute();
  // At most one open dispute per scorecard.
  await db.schema
    .createIndex('disputes_one_open')
    .on('disputes')
    .column('evaluation_id')
    .unique()
    .where(sql.ref('status'), '=', 'open')
    .execute();
  await db.schema.createIndex('disputes_evaluation_idx').on('disputes').column('evaluation_id').execute();
  await db.schema.createIndex('disputes_team_idx').on('disputes').columns(['team_id', 'status', 'opened_at']).execute();
  await db.schema.createIndex('disputes_assignee_idx').on('disputes').columns(['assignee_id', 'status']).execute();
  await db.schema.createIndex('disputes_evaluator_idx').on('disputes').columns(['evaluator_id', 'opened_at']).execute();

  await db.schema
    .createTable('dispute_items')
    .addColumn('dispute_id', 'integer', (c) => c.notNull().references('disputes.id').onDelete('cascade'))
    .addColumn('item_id', 'integer', (c) => c.notNull().references('rubric_items.id'))
    .addColumn('value_before', 'text', (c) => c.notNull())
    .addColumn('points_before', 'real', (c) => c.notNull())
    .addColumn('max_points', 'real', (c) => c.notNull())
    .addColumn('value_after', 'text')
    .addColumn('points_after', 'real')
    .addPrimaryKeyConstraint('dispute_items_pk', ['dispute_id', 'item_id'])
    .execute();
  await db.schema.createIndex('dispute_items_item_idx').on('dispute_items').column('item_id').execute();

  await db.schema
    .createTable('calibration_sessions')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('call_id', 'integer', (c) => c.notNull().references('calls.id').onDelete('cascade'))
    .addColumn('rubric_id', 'integer', (c) => c.notNull().references('rubrics.id'))
    .addColumn('team_id', 'integer', (c) => c.references('teams.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('expert_id', 'integer', (c) => c.references('users.id'))
    .addColumn('blind_until', 'text', (c) =>
      c
        .notNull()
        .defaultTo('submitted')
        .check(sql`blind_until in ('submitted', 'closed')`),
    )
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('open')
        .check(sql`status in ('open', 'closed')`),
    )
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .addColumn('closed_by', 'integer', (c) => c.references('users.id'))
    .execute();
  await db.schema
    .createIndex('calibration_sessions_team_idx')
    .on('calibration_sessions')
    .columns(['team_id', 'status', 'created_at'])
    .execute();
  await db.schema
    .createIndex('calibration_sessions_creator_idx')
    .on('calibration_sessions')
    .column('created_by')
    .execute();

  await db.schema
    .createTable('calibration_participants')
    .addColumn('session_id', 'integer', (c) => c.notNull().references('calibration_sessions.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('evaluation_id', 'integer', (c) => c.references('evaluations.id').onDelete('set null'))
    .addPrimaryKeyConstraint('calibration_participants_pk', ['session_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('calibration_participants_user_idx')
    .on('calibration_participants')
    .column('user_id')
    .execute();
  await db.schema
    .createIndex('calibration_participants_evaluation_unique')
    .on('calibration_participants')
    .column('evaluation_id')
    .unique()
    .where(sql.ref('evaluation_id'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['calibration_participants', 'calibration_sessions', 'dispute_items', 'disputes']) {
    await db.schema.dropTable(table).execute();
  }
  // Calibration scoring goes with its sessions; the older one-draft rule would not hold with it in place.
  await db.deleteFrom('evaluations').where('kind', '=', 'calibration').execute();
  await db.schema.dropIndex('evaluations_kind_idx').execute();
  await db.schema.dropIndex('evaluations_one_standard_draft').execute();
  await db.schema
    .createIndex('evaluations_one_draft')
    .on('evaluations')
    .columns(['call_id', 'rubric_id', 'evaluator_id'])
    .unique()
    .where(sql.ref('status'), '=', 'draft')
    .execute();
  for (const column of ['dispute_reviewer', 'dispute_window_days', 'dispute_limit', 'disputes_enabled']) {
    await db.schema.alterTable('rubrics').dropColumn(column).execute();
  }
}
