import { Kysely, sql } from 'kysely';

// Sampling plans (evaluations per CSR per period), one seed per plan and period, and the logged picks.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sampling_plans')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('team_id', 'integer', (c) => c.notNull().unique().references('teams.id').onDelete('cascade'))
    .addColumn('per_csr', 'integer', (c) => c.notNull().check(sql`per_csr between 1 and 100`))
    .addColumn('period', 'text', (c) => c.notNull().check(sql`period in ('week', 'month')`))
    .addColumn('category', 'text')
    .addColumn('min_duration_s', 'integer', (c) => c.check(sql`min_duration_s >= 0`))
    .addColumn('direction', 'text', (c) => c.check(sql`direction in ('inbound', 'outbound')`))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sampling_periods')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('plan_id', 'integer', (c) => c.notNull().references('sampling_plans.id').onDelete('cascade'))
    .addColumn('period_key', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('seed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('sampling_periods_plan_key_unique', ['plan_id', 'period_key'])
    .execute();

  await db.schema
    .createTable('sampling_picks')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('period_id', 'integer', (c) => c.notNull().references('sampling_periods.id').onDelete('cascade'))
    .addColumn('team_id', 'integer', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('csr_id', 'integer', (c) => c.notNull().references('users.id'))
    // A deleted call leaves its pick behind (call_id null) so the draw log stays complete.
    .addColumn('call_id', 'integer', (c) => c.references('calls.id').onDelete('set null'))
    .addColumn('supervisor_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('seed', 'text', (c) => c.notNull())
    .addColumn('draw_index', 'integer', (c) => c.notNull().check(sql`draw_index >= 0`))
    .addColumn('candidate_count', 'integer', (c) => c.notNull().check(sql`candidate_count > 0`))
    .addColumn('position', 'integer', (c) => c.notNull().check(sql`position >= 0 and position < candidate_count`))
    .addColumn('candidates_sha256', 'text', (c) => c.notNull())
    .addColumn('picked_at', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('sampling_picks_period_call_unique', ['period_id', 'call_id'])
    .addUniqueConstraint('sampling_picks_period_draw_unique', ['period_id', 'csr_id', 'draw_index'])
    .execute();

  await db.schema
    .createIndex('sampling_picks_supervisor_idx')
    .on('sampling_picks')
    .columns(['supervisor_id', 'due_at'])
    .execute();
  await db.schema
    .createIndex('sampling_picks_team_idx')
    .on('sampling_picks')
    .columns(['team_id', 'period_id'])
    .execute();
  await db.schema.createIndex('sampling_picks_call_idx').on('sampling_picks').column('call_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['sampling_picks', 'sampling_periods', 'sampling_plans']) {
    await db.schema.dropTable(table).execute();
  }
}
