import { Kysely, sql } from 'kysely';

// Issue 21, found by the engines bench at 10M calls: a supervisor's scorecard list (and the dashboard's "waiting
// for release" list) asked for `team_id in (…) order by id desc limit n`. SQLite gathered every scorecard of the
// teams through evaluations_team_idx (team, status, submitted_at) and sorted them all: 69 ms for two teams'
// 40,000 scorecards, 3.8 ms on PostgreSQL. With this index each team's scorecards come newest first (the id is
// the last key column), so the list reads each team's newest rows and merges them (src/evaluations/
// evaluations.queries.ts, pageIds).

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index evaluations_team_kind_id_idx on evaluations (team_id, kind, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index evaluations_team_kind_id_idx`.execute(db);
}
