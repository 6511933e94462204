import { Kysely, sql } from 'kysely';

// Issue 21, found at 10M calls: the figures over a few teams' scorecards of a period (the supervisor dashboard's
// month and its CSRs needing help, the quality report for a supervisor) went through evaluations_team_idx (team,
// status, submitted_at) with the status kept out of the search (`+status`, src/reports/quality.queries.ts), so
// they read every scorecard the teams ever had and looked each one up in the table: 56 ms for two teams' 90 days
// at 10M. This index puts the period right after the team and carries the columns those sums read, as
// evaluations_status_submitted_idx does for all teams (20261123T2000_report_indexes), so a team's period is one
// range of the index and nothing else.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index evaluations_team_submitted_idx on evaluations (team_id, submitted_at, status, kind, agent_id, evaluator_id, rubric_id, score, passed, critical_failed, time_spent_s)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index evaluations_team_submitted_idx`.execute(db);
}
