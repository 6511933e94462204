import { Kysely, sql } from 'kysely';

// Indexes for dashboards and reports at a million calls, measured in bench/ (see bench/results/SUMMARY.md):
// each lets a report read only the rows of its period instead of scanning calls or evaluations.
const INDEXES = [
  sql`create index evaluations_evaluator_kind_idx on evaluations(evaluator_id, kind)`,
  sql`create index evaluations_status_submitted_idx on evaluations(status, submitted_at, kind, team_id, agent_id, evaluator_id, rubric_id, score, passed, critical_failed, time_spent_s)`,
  sql`create index evaluation_answers_points_idx on evaluation_answers(evaluation_id, item_id, points, max_points)`,
  sql`create index calls_unscored_idx on calls(team_id, evaluation_count, recording_status, agent_id)`,
  sql`create index calls_csat_started_idx on calls(started_at, team_id, agent_id, csat) where csat is not null`,
  sql`create index calls_service_level_idx on calls(started_at, direction, abandoned, queue_wait_s, hold_s, team_id, agent_id)`,
];

const NAMES = [
  'evaluations_evaluator_kind_idx',
  'evaluations_status_submitted_idx',
  'evaluation_answers_points_idx',
  'calls_unscored_idx',
  'calls_csat_started_idx',
  'calls_service_level_idx',
];

export async function up(db: Kysely<any>): Promise<void> {
  // The low-selectivity kind index misled the planner into scanning; (evaluator_id, kind) serves its use.
  await sql`drop index if exists evaluations_kind_idx`.execute(db);
  for (const statement of INDEXES) await statement.execute(db);
  await sql`analyze`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of NAMES) await db.schema.dropIndex(name).execute();
  await db.schema.createIndex('evaluations_kind_idx').on('evaluations').columns(['kind', 'evaluator_id']).execute();
}
