import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('training_courses')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('provider', 'text')
    .addColumn('duration_minutes', 'integer', (c) => c.check(sql`duration_minutes > 0`))
    .addColumn('cost_cents', 'integer', (c) => c.notNull().check(sql`cost_cents >= 0`))
    .addColumn('group_rule', 'text', (c) => c.check(sql`group_rule in ('every_n_free', 'percent_off')`))
    .addColumn('group_n', 'integer', (c) => c.check(sql`group_n >= 2`))
    .addColumn('group_min_seats', 'integer', (c) => c.check(sql`group_min_seats >= 1`))
    .addColumn('group_percent', 'real', (c) => c.check(sql`group_percent > 0 and group_percent <= 100`))
    .addColumn('retired_at', 'text')
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('training_bookings')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('course_id', 'integer', (c) => c.notNull().references('training_courses.id'))
    .addColumn('department_id', 'integer', (c) => c.notNull().references('departments.id'))
    .addColumn('booked_by', 'integer', (c) => c.references('users.id'))
    .addColumn('seats', 'integer', (c) => c.notNull().check(sql`seats >= 1`))
    .addColumn('price_per_seat_cents', 'integer', (c) => c.notNull())
    .addColumn('free_seats', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total_cents', 'integer', (c) => c.notNull().check(sql`total_cents >= 0`))
    .addColumn('period_key', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('over_budget', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('training_bookings_dept_period_idx')
    .on('training_bookings')
    .columns(['department_id', 'period_key'])
    .execute();

  await db.schema
    .createTable('training_assignments')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('booking_id', 'integer', (c) => c.notNull().references('training_bookings.id').onDelete('cascade'))
    .addColumn('csr_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('assigned')
        .check(sql`status in ('assigned', 'in_progress', 'completed')`),
    )
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .addColumn('confirmed_by', 'integer', (c) => c.references('users.id'))
    .addColumn('confirmed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('training_assignments_booking_csr', ['booking_id', 'csr_id'])
    .execute();
  await db.schema
    .createIndex('training_assignments_csr_idx')
    .on('training_assignments')
    .columns(['csr_id', 'status'])
    .execute();

  await db.schema
    .createTable('training_recommendations')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('coaching_task_id', 'integer', (c) => c.references('coaching_tasks.id').onDelete('set null'))
    .addColumn('csr_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('course_id', 'integer', (c) => c.notNull().references('training_courses.id'))
    .addColumn('department_id', 'integer', (c) => c.notNull().references('departments.id'))
    .addColumn('recommended_by', 'integer', (c) => c.references('users.id'))
    .addColumn('note', 'text')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'approved', 'declined')`),
    )
    .addColumn('decided_by', 'integer', (c) => c.references('users.id'))
    .addColumn('decided_at', 'text')
    .addColumn('decline_reason', 'text')
    .addColumn('booking_id', 'integer', (c) => c.references('training_bookings.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('training_recommendations_dept_idx')
    .on('training_recommendations')
    .columns(['department_id', 'status'])
    .execute();

  await db.schema
    .createTable('awards')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('department_id', 'integer', (c) => c.notNull().references('departments.id'))
    .addColumn('awarded_by', 'integer', (c) => c.references('users.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('amount_cents', 'integer', (c) => c.notNull().check(sql`amount_cents >= 0`))
    .addColumn('total_cents', 'integer', (c) => c.notNull().check(sql`total_cents >= 0`))
    .addColumn('period_key', 'text', (c) => c.notNull())
    .addColumn('over_budget', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('awards_dept_period_idx').on('awards').columns(['department_id', 'period_key']).execute();

  await db.schema
    .createTable('award_recipients')
    .addColumn('award_id', 'integer', (c) => c.notNull().references('awards.id').onDelete('cascade'))
    .addColumn('csr_id', 'integer', (c) => c.notNull().references('users.id'))
    .addPrimaryKeyConstraint('award_recipients_pk', ['award_id', 'csr_id'])
    .execute();
  await db.schema.createIndex('award_recipients_csr_idx').on('award_recipients').column('csr_id').execute();

  await db.schema.createIndex('coaching_tasks_parent_idx').on('coaching_tasks').column('parent_task_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('coaching_tasks_parent_idx').execute();
  for (const table of [
    'award_recipients',
    'awards',
    'training_recommendations',
    'training_assignments',
    'training_bookings',
    'training_courses',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
