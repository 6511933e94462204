import { Kysely, sql } from 'kysely';
import { engineOf } from '../src/db/dialect';

// Issue 17: timestamps as `timestamptz` on PostgreSQL. Until now both engines kept them as ISO-8601 text in UTC
// (`2026-12-07T04:59:29.375Z`). SQLite keeps doing so; on PostgreSQL every timestamp column becomes a
// `timestamptz`, so the database itself knows them as time (date arithmetic, BRIN or partitioning by time, a DBA's
// own queries). The app reads them back as the same ISO text (the pool parses timestamptz, src/db/postgres.ts).
//
// The roll-up triggers' plpgsql functions took the UTC day of a timestamp with `substr(x, 1, 10)`, which
// PostgreSQL has no form of for a timestamptz; they are rewritten to `to_char(x at time zone 'UTC', 'YYYY-MM-DD')`
// (the same day). A trigger that names a column in its event (`update of started_at, …`) or its WHEN blocks a
// change of the column's type, so every trigger is dropped before the change and made again from its own
// definition after it.

/** The timestamp columns, table by table, as of this migration (frozen). */
const COLUMNS: Record<string, string[]> = {
  api_tokens: ['created_at', 'last_used_at', 'revoked_at'],
  audit_log: ['at'],
  auto_evaluation_queue: ['queued_at'],
  auto_evaluations: ['evaluated_at'],
  awards: ['created_at'],
  calibration_sessions: ['created_at', 'closed_at'],
  call_analyses: ['enqueued_at', 'run_after', 'lease_until', 'started_at', 'finished_at', 'analysed_at'],
  call_topics: ['tagged_at'],
  calls: ['started_at', 'recording_deleted_at', 'created_at'],
  coaching_tasks: [
    'due_at',
    'scheduled_at',
    'completed_at',
    'acknowledged_at',
    'cancelled_at',
    'created_at',
    'updated_at',
  ],
  departments: ['created_at'],
  disputes: ['opened_at', 'resolved_at'],
  evaluation_auto_answers: ['recorded_at'],
  evaluation_revisions: ['replaced_at'],
  evaluations: ['created_at', 'updated_at', 'submitted_at', 'release_due_at', 'released_at', 'acknowledged_at'],
  guided_start_dismissals: ['dismissed_at'],
  import_jobs: ['started_at', 'finished_at', 'lease_until'],
  inbox_files: ['first_seen', 'stable_since', 'updated'],
  job_runs: ['lease_until', 'finished_at'],
  passkey_challenges: ['expires_at'],
  rubrics: ['created_at', 'updated_at', 'published_at', 'retired_at'],
  sampling_periods: ['starts_at', 'ends_at', 'created_at'],
  sampling_picks: ['picked_at', 'due_at'],
  sampling_plans: ['created_at', 'updated_at'],
  saved_call_views: ['created_at'],
  teams: ['created_at'],
  topic_tag_queue: ['queued_at'],
  topics: ['created_at', 'updated_at'],
  training_assignments: ['due_at', 'completed_at', 'confirmed_at', 'created_at'],
  training_bookings: ['due_at', 'created_at'],
  training_courses: ['retired_at', 'created_at'],
  training_recommendations: ['decided_at', 'created_at'],
  user_passkeys: ['created_at', 'last_used_at'],
  user_recovery_codes: ['used_at', 'created_at'],
  user_totp: ['confirmed_at', 'created_at'],
  users: ['created_at', 'updated_at'],
  webhook_deliveries: ['next_attempt_at', 'last_attempt_at', 'created_at', 'delivered_at'],
  webhooks: ['created_at'],
};

/** `substr(<timestamp>, 1, 10)` in a trigger function: the expression may hold parentheses, never this tail. */
const TEXT_DAY = /substr\(((?:(?!, 1, 10\)).)+?), 1, 10\)/gs;
const ZONED_DAY =
  /to_char\(\(((?:(?!\) at time zone 'UTC', 'YYYY-MM-DD'\)).)+?)\) at time zone 'UTC', 'YYYY-MM-DD'\)/gs;

async function rewriteTriggerFunctions(db: Kysely<any>, from: RegExp, to: (expression: string) => string) {
  const functions = await sql<{ name: string; body: string }>`
    select p.proname as name, p.prosrc as body from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = current_schema() and p.prorettype = 'trigger'::regtype`.execute(db);
  for (const { name, body } of functions.rows) {
    const rewritten = body.replace(from, (_, expression: string) => to(expression));
    if (rewritten === body) continue;
    if (rewritten.includes('$$')) throw new Error(`trigger function ${name}: its body holds $$`);
    await sql
      .raw(`create or replace function ${name}() returns trigger language plpgsql as $$${rewritten}$$`)
      .execute(db);
  }
}

/** Drops every trigger of the schema's tables and returns what makes them again. */
async function dropTriggers(db: Kysely<any>): Promise<string[]> {
  const triggers = await sql<{ name: string; tbl: string; definition: string }>`
    select t.tgname as name, c.relname as tbl, pg_get_triggerdef(t.oid) as definition
    from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
    where not t.tgisinternal and n.nspname = current_schema()
    order by c.relname, t.tgname`.execute(db);
  for (const t of triggers.rows) await sql.raw(`drop trigger ${t.name} on ${t.tbl}`).execute(db);
  return triggers.rows.map((t) => t.definition);
}

async function changeTypes(db: Kysely<any>, type: (column: string) => string): Promise<void> {
  const remake = await dropTriggers(db);
  for (const [table, columns] of Object.entries(COLUMNS)) {
    await sql
      .raw(`alter table ${table} ${columns.map((c) => `alter column ${c} type ${type(c)}`).join(', ')}`)
      .execute(db);
  }
  for (const definition of remake) await sql.raw(definition).execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  if (engineOf(db) !== 'postgres') return;
  // Every stored value carries its zone (Z); the session's zone only matters to one without, which the app
  // never wrote: read as UTC, what the app meant.
  await sql`set local time zone 'UTC'`.execute(db);
  await rewriteTriggerFunctions(db, TEXT_DAY, (x) => `to_char((${x}) at time zone 'UTC', 'YYYY-MM-DD')`);
  await changeTypes(db, (c) => `timestamptz using ${c}::timestamptz`);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (engineOf(db) !== 'postgres') return;
  await changeTypes(db, (c) => `text using to_char(${c} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
  await rewriteTriggerFunctions(db, ZONED_DAY, (x) => `substr(${x}, 1, 10)`);
}
