import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Selectable } from 'kysely';
import { openDatabase, PAGE_CACHE_KIB, type SqliteHandle } from '../../src/db/database';
import { createMigrator, migrateDown, migrateToLatest } from '../../src/db/migrate';
import type { Database } from '../../src/db/schema';
import { makeTestApp, sqliteOf } from '../helpers/app';

/**
 * Every table and column of the Database type, with whether it may hold null. The type makes this list
 * exhaustive: a table or column missing from it, an extra one, or a wrong nullability is a compile error;
 * the tests below then compare it with the real schema that the migrations build.
 */
type Nullability<Row> = { [Column in keyof Row]-?: null extends Row[Column] ? 'null' : 'not null' };
type SchemaShape = { [Table in keyof Database]: Nullability<Selectable<Database[Table]>> };

const expectedSchema = {
  rollup_dirty: { kind: 'not null', day: 'not null' },
  rollup_team_day: {
    day: 'not null',
    team_id: 'not null',
    threshold_s: 'not null',
    offered: 'not null',
    answered: 'not null',
    abandoned: 'not null',
    within_threshold: 'not null',
    wait_total: 'not null',
    hold_total: 'not null',
    csat_n: 'not null',
    csat_total: 'not null',
    categories: 'not null',
    waits: 'not null',
    analysed: 'not null',
  },
  rollup_category_day: { day: 'not null', categories: 'not null' },
  rollup_item_csat_total_day: {
    item_id: 'not null',
    day: 'not null',
    n_passed: 'not null',
    csat_passed: 'not null',
    n_failed: 'not null',
    csat_failed: 'not null',
  },
  rollup_score_day: {
    day: 'not null',
    team_id: 'not null',
    items: 'not null',
    scored: 'not null',
    score_total: 'not null',
    score_squares: 'not null',
    passed: 'not null',
    critical: 'not null',
    b0: 'not null',
    b1: 'not null',
    b2: 'not null',
    b3: 'not null',
    b4: 'not null',
    b5: 'not null',
    b6: 'not null',
    b7: 'not null',
    b8: 'not null',
    b9: 'not null',
  },
  rollup_score_total_day: {
    day: 'not null',
    items: 'not null',
    scored: 'not null',
    score_total: 'not null',
    score_squares: 'not null',
    passed: 'not null',
    critical: 'not null',
    b0: 'not null',
    b1: 'not null',
    b2: 'not null',
    b3: 'not null',
    b4: 'not null',
    b5: 'not null',
    b6: 'not null',
    b7: 'not null',
    b8: 'not null',
    b9: 'not null',
  },
  rollup_call_slot: {
    slot: 'not null',
    team_id: 'not null',
    threshold_s: 'not null',
    offered: 'not null',
    answered: 'not null',
    abandoned: 'not null',
    within_threshold: 'not null',
    wait_total: 'not null',
    hold_total: 'not null',
    handle_total: 'not null',
  },
  rollup_call_slot_total: {
    slot: 'not null',
    threshold_s: 'not null',
    offered: 'not null',
    answered: 'not null',
    abandoned: 'not null',
    within_threshold: 'not null',
    wait_total: 'not null',
    hold_total: 'not null',
    handle_total: 'not null',
  },
  rollup_coverage: {
    period: 'not null',
    day: 'not null',
    rubric_id: 'not null',
    team_id: 'not null',
    agent_id: 'not null',
    evaluated: 'not null',
    answered: 'not null',
    items: 'not null',
  },
  rollup_coverage_human: {
    period: 'not null',
    day: 'not null',
    rubric_id: 'not null',
    team_id: 'not null',
    agent_id: 'not null',
    answers: 'not null',
  },
  rollup_item_csat_day: {
    day: 'not null',
    team_id: 'not null',
    item_id: 'not null',
    n_passed: 'not null',
    csat_passed: 'not null',
    n_failed: 'not null',
    csat_failed: 'not null',
  },
  rollup_score_agent_day: {
    agent_id: 'not null',
    day: 'not null',
    team_id: 'not null',
    scored: 'not null',
    score_total: 'not null',
    score_squares: 'not null',
    passed: 'not null',
    critical: 'not null',
  },
  rollup_score_evaluator_day: {
    evaluator_id: 'not null',
    day: 'not null',
    team_id: 'not null',
    scored: 'not null',
    score_total: 'not null',
    time_total: 'not null',
  },
  rollup_csat_agent_day: {
    agent_id: 'not null',
    day: 'not null',
    team_id: 'not null',
    csat_n: 'not null',
    csat_total: 'not null',
  },
  disputes: {
    id: 'not null',
    evaluation_id: 'not null',
    csr_id: 'not null',
    team_id: 'null',
    evaluator_id: 'not null',
    assignee_id: 'null',
    status: 'not null',
    reason: 'not null',
    score_before: 'null',
    score_after: 'null',
    opened_at: 'not null',
    resolved_at: 'null',
    resolved_by: 'null',
    resolution_reason: 'null',
  },
  dispute_items: {
    dispute_id: 'not null',
    item_id: 'not null',
    value_before: 'not null',
    points_before: 'not null',
    max_points: 'not null',
    value_after: 'null',
    points_after: 'null',
  },
  calibration_sessions: {
    id: 'not null',
    call_id: 'not null',
    rubric_id: 'not null',
    team_id: 'null',
    title: 'not null',
    expert_id: 'null',
    blind_until: 'not null',
    status: 'not null',
    created_by: 'null',
    created_at: 'not null',
    closed_at: 'null',
    closed_by: 'null',
  },
  calibration_participants: {
    session_id: 'not null',
    user_id: 'not null',
    evaluation_id: 'null',
  },
  training_courses: {
    id: 'not null',
    title: 'not null',
    description: 'null',
    provider: 'null',
    duration_minutes: 'null',
    cost_cents: 'not null',
    group_rule: 'null',
    group_n: 'null',
    group_min_seats: 'null',
    group_percent: 'null',
    retired_at: 'null',
    created_by: 'null',
    created_at: 'not null',
  },
  training_bookings: {
    id: 'not null',
    course_id: 'not null',
    department_id: 'not null',
    booked_by: 'null',
    seats: 'not null',
    price_per_seat_cents: 'not null',
    free_seats: 'not null',
    total_cents: 'not null',
    period_key: 'not null',
    due_at: 'not null',
    over_budget: 'not null',
    idempotency_key: 'null',
    created_at: 'not null',
  },
  training_assignments: {
    id: 'not null',
    booking_id: 'not null',
    csr_id: 'not null',
    status: 'not null',
    due_at: 'not null',
    completed_at: 'null',
    confirmed_by: 'null',
    confirmed_at: 'null',
    created_at: 'not null',
  },
  training_recommendations: {
    id: 'not null',
    coaching_task_id: 'null',
    csr_id: 'not null',
    course_id: 'not null',
    department_id: 'not null',
    recommended_by: 'null',
    note: 'null',
    status: 'not null',
    decided_by: 'null',
    decided_at: 'null',
    decline_reason: 'null',
    booking_id: 'null',
    created_at: 'not null',
  },
  awards: {
    id: 'not null',
    department_id: 'not null',
    awarded_by: 'null',
    title: 'not null',
    note: 'null',
    amount_cents: 'not null',
    total_cents: 'not null',
    period_key: 'not null',
    over_budget: 'not null',
    idempotency_key: 'null',
    created_at: 'not null',
  },
  award_recipients: {
    award_id: 'not null',
    csr_id: 'not null',
  },
  rubrics: {
    id: 'not null',
    family_id: 'null',
    version: 'not null',
    name: 'not null',
    description: 'null',
    status: 'not null',
    pass_threshold: 'not null',
    release_mode: 'not null',
    release_after_days: 'null',
    created_by: 'null',
    created_at: 'not null',
    updated_at: 'not null',
    published_at: 'null',
    retired_at: 'null',
    disputes_enabled: 'not null',
    dispute_limit: 'not null',
    dispute_window_days: 'not null',
    dispute_reviewer: 'not null',
    auto_mode: 'not null',
  },
  rubric_sections: {
    id: 'not null',
    rubric_id: 'not null',
    position: 'not null',
    title: 'not null',
    weight: 'not null',
    threshold: 'null',
  },
  rubric_items: {
    id: 'not null',
    rubric_id: 'not null',
    section_id: 'not null',
    position: 'not null',
    prompt: 'not null',
    guidance: 'null',
    type: 'not null',
    max_points: 'not null',
    allow_na: 'not null',
    critical: 'not null',
    comment_required: 'not null',
    auto_rule: 'null',
  },
  rubric_options: {
    id: 'not null',
    item_id: 'not null',
    position: 'not null',
    label: 'not null',
    points: 'not null',
  },
  evaluations: {
    id: 'not null',
    call_id: 'not null',
    rubric_id: 'not null',
    agent_id: 'not null',
    team_id: 'null',
    evaluator_id: 'not null',
    kind: 'not null',
    status: 'not null',
    revision: 'not null',
    rescore_count: 'not null',
    score: 'null',
    raw_score: 'null',
    passed: 'null',
    critical_failed: 'not null',
    section_scores: 'not null',
    comment: 'null',
    time_spent_s: 'not null',
    created_at: 'not null',
    updated_at: 'not null',
    updated_by: 'null',
    submitted_at: 'null',
    release_due_at: 'null',
    released_at: 'null',
    acknowledged_at: 'null',
    ack_comment: 'null',
  },
  evaluation_answers: {
    evaluation_id: 'not null',
    item_id: 'not null',
    value: 'not null',
    points: 'null',
    max_points: 'null',
    comment: 'null',
    at_s: 'null',
  },
  evaluation_auto_answers: {
    evaluation_id: 'not null',
    item_id: 'not null',
    rubric_id: 'not null',
    call_id: 'not null',
    rule_value: 'null',
    human_value: 'null',
    suggested: 'not null',
    reason: 'not null',
    evidence_s: 'null',
    recorded_at: 'not null',
  },
  evaluation_revisions: {
    id: 'not null',
    evaluation_id: 'not null',
    snapshot: 'not null',
    reason: 'not null',
    replaced_by: 'null',
    replaced_at: 'not null',
  },
  coaching_tasks: {
    id: 'not null',
    csr_id: 'not null',
    assignee_id: 'null',
    team_id: 'null',
    evaluation_id: 'null',
    parent_task_id: 'null',
    status: 'not null',
    focus: 'not null',
    due_at: 'not null',
    scheduled_at: 'null',
    completed_at: 'null',
    notes: 'null',
    actions: 'null',
    acknowledged_at: 'null',
    cancelled_at: 'null',
    cancel_note: 'null',
    created_by: 'null',
    created_at: 'not null',
    updated_at: 'not null',
  },
  saved_call_views: {
    id: 'not null',
    user_id: 'not null',
    name: 'not null',
    query: 'not null',
    created_at: 'not null',
  },
  call_analyses: {
    call_id: 'not null',
    status: 'not null',
    attempts: 'not null',
    last_error: 'null',
    enqueued_at: 'not null',
    run_after: 'not null',
    lease_until: 'null',
    started_at: 'null',
    finished_at: 'null',
    duration_s: 'null',
    channels: 'null',
    sample_rate: 'null',
    agent_speech_s: 'null',
    customer_speech_s: 'null',
    talk_ratio: 'null',
    mono_speech_s: 'null',
    overtalk_total_s: 'null',
    overtalk_count: 'null',
    dead_air_total_s: 'null',
    dead_air_longest_s: 'null',
    segments: 'null',
    peaks_file: 'null',
    analysed_at: 'null',
    settings_used: 'null',
    stt_error: 'null',
  },
  auto_evaluations: {
    id: 'not null',
    call_id: 'not null',
    family_id: 'not null',
    rubric_id: 'not null',
    team_id: 'null',
    agent_id: 'null',
    call_day: 'not null',
    answered: 'not null',
    failed: 'not null',
    score: 'null',
    raw_score: 'null',
    passed: 'null',
    critical_failed: 'not null',
    evaluated_at: 'not null',
  },
  auto_evaluation_answers: {
    auto_evaluation_id: 'not null',
    item_id: 'not null',
    value: 'null',
    failed: 'null',
    reason: 'not null',
    evidence: 'not null',
  },
  auto_evaluation_queue: {
    call_id: 'not null',
    queued_at: 'not null',
  },
  auto_item_day: {
    day: 'not null',
    rubric_id: 'not null',
    item_id: 'not null',
    team_id: 'not null',
    agent_id: 'not null',
    answered: 'not null',
    failed: 'not null',
  },
  auto_call_day: {
    day: 'not null',
    rubric_id: 'not null',
    team_id: 'not null',
    agent_id: 'not null',
    evaluated: 'not null',
    answered: 'not null',
  },
  calls: {
    id: 'not null',
    source: 'not null',
    external_id: 'not null',
    agent_id: 'null',
    team_id: 'null',
    queue: 'null',
    started_at: 'not null',
    direction: 'not null',
    category: 'null',
    queue_wait_s: 'not null',
    hold_s: 'not null',
    duration_s: 'not null',
    csat: 'null',
    abandoned: 'not null',
    evaluation_count: 'not null',
    recording_status: 'null',
    recording_file: 'null',
    recording_original_name: 'null',
    recording_mime: 'null',
    recording_bytes: 'null',
    recording_sha256: 'null',
    recording_codec: 'null',
    recording_channels: 'null',
    recording_sample_rate: 'null',
    recording_duration_s: 'null',
    recording_deleted_at: 'null',
    transcript_format: 'null',
    transcript: 'null',
    transcript_source: 'null',
    created_by: 'null',
    created_at: 'not null',
  },
  users: {
    id: 'not null',
    username: 'not null',
    display_name: 'not null',
    password_hash: 'not null',
    role: 'not null',
    team_id: 'null',
    extension: 'null',
    email: 'null',
    active: 'not null',
    created_at: 'not null',
    updated_at: 'not null',
  },
  departments: {
    id: 'not null',
    name: 'not null',
    manager_id: 'null',
    budget_cents: 'not null',
    budget_period: 'not null',
    created_at: 'not null',
  },
  teams: {
    id: 'not null',
    name: 'not null',
    department_id: 'not null',
    created_at: 'not null',
  },
  team_supervisors: {
    team_id: 'not null',
    user_id: 'not null',
  },
  sessions: {
    sid: 'not null',
    user_id: 'null',
    data: 'not null',
    expires_at: 'not null',
  },
  login_throttle: {
    key: 'not null',
    failures: 'not null',
    window_started_at: 'not null',
    blocked_until: 'null',
    last_failure_at: 'not null',
  },
  user_totp: {
    user_id: 'not null',
    secret_enc: 'not null',
    confirmed_at: 'null',
    last_time_step: 'null',
    created_at: 'not null',
  },
  user_recovery_codes: {
    id: 'not null',
    user_id: 'not null',
    code_hash: 'not null',
    used_at: 'null',
    created_at: 'not null',
  },
  api_tokens: {
    id: 'not null',
    user_id: 'not null',
    name: 'not null',
    token_hash: 'not null',
    created_at: 'not null',
    last_used_at: 'null',
    revoked_at: 'null',
  },
  audit_log: {
    id: 'not null',
    at: 'not null',
    actor_id: 'null',
    action: 'not null',
    entity_type: 'null',
    entity_id: 'null',
    details: 'null',
    ip: 'null',
  },
  settings: {
    key: 'not null',
    value: 'not null',
  },
  job_runs: { name: 'not null', holder: 'null', lease_until: 'null', finished_at: 'null' },
  call_legs: { uniqueid: 'not null', call_id: 'not null' },
  inbox_files: {
    id: 'not null',
    name: 'not null',
    size: 'not null',
    mtime_ms: 'not null',
    first_seen: 'not null',
    stable_since: 'null',
    status: 'not null',
    reason: 'null',
    call_id: 'null',
    updated: 'not null',
  },
  import_jobs: {
    id: 'not null',
    owner_id: 'not null',
    file_name: 'not null',
    state: 'not null',
    file_bytes: 'not null',
    checked_bytes: 'not null',
    done: 'not null',
    total: 'not null',
    summary: 'null',
    refused_count: 'not null',
    error: 'null',
    started_at: 'not null',
    finished_at: 'null',
    holder: 'null',
    lease_until: 'null',
  },
  guided_start_dismissals: {
    user_id: 'not null',
    dismissed_at: 'not null',
  },
  webhooks: {
    id: 'not null',
    url: 'not null',
    events: 'not null',
    description: 'not null',
    secret: 'not null',
    active: 'not null',
    disabled_reason: 'null',
    created_by: 'null',
    created_at: 'not null',
  },
  webhook_deliveries: {
    id: 'not null',
    webhook_id: 'not null',
    message_id: 'not null',
    event_type: 'not null',
    body: 'not null',
    status: 'not null',
    attempts: 'not null',
    next_attempt_at: 'null',
    last_attempt_at: 'null',
    response_code: 'null',
    last_error: 'null',
    created_at: 'not null',
    delivered_at: 'null',
  },
  sampling_plans: {
    id: 'not null',
    team_id: 'not null',
    per_csr: 'not null',
    period: 'not null',
    category: 'null',
    min_duration_s: 'null',
    direction: 'null',
    risk_share_pct: 'not null',
    active: 'not null',
    created_by: 'null',
    created_at: 'not null',
    updated_by: 'null',
    updated_at: 'not null',
  },
  sampling_periods: {
    id: 'not null',
    plan_id: 'not null',
    period_key: 'not null',
    starts_at: 'not null',
    ends_at: 'not null',
    seed: 'not null',
    created_at: 'not null',
  },
  sampling_picks: {
    id: 'not null',
    period_id: 'not null',
    team_id: 'not null',
    csr_id: 'not null',
    call_id: 'null',
    supervisor_id: 'null',
    seed: 'not null',
    draw_index: 'not null',
    candidate_count: 'not null',
    position: 'not null',
    candidates_sha256: 'not null',
    picked_at: 'not null',
    due_at: 'not null',
    risk_based: 'not null',
  },
  user_passkeys: {
    id: 'not null',
    user_id: 'not null',
    credential_id: 'not null',
    public_key: 'not null',
    counter: 'not null',
    transports: 'not null',
    name: 'not null',
    created_at: 'not null',
    last_used_at: 'null',
  },
  passkey_challenges: {
    challenge: 'not null',
    purpose: 'not null',
    user_id: 'null',
    expires_at: 'not null',
  },
  topics: {
    id: 'not null',
    name: 'not null',
    rule: 'not null',
    active: 'not null',
    version: 'not null',
    swept_to_call_id: 'not null',
    created_at: 'not null',
    updated_at: 'not null',
  },
  call_topics: {
    call_id: 'not null',
    topic_id: 'not null',
    reason: 'not null',
    evidence: 'not null',
    tagged_at: 'not null',
  },
  topic_tag_queue: {
    call_id: 'not null',
    queued_at: 'not null',
  },
} satisfies SchemaShape;

interface ColumnInfo {
  name: string;
  notnull: number;
  pk: number;
}

function appTables(sqlite: SqliteHandle['sqlite']): string[] {
  const rows = sqlite
    .prepare(
      `select name from sqlite_master where type = 'table'
       and name not like 'sqlite_%' and name not like 'kysely_migration%' order by name`,
    )
    .all() as Array<{ name: string }>;
  return rows.map((r) => r.name);
}

/** The real schema in the same shape; a primary key counts as not null (the app never stores a null key). */
function actualSchema(sqlite: SqliteHandle['sqlite']): Record<string, Record<string, string>> {
  const schema: Record<string, Record<string, string>> = {};
  for (const table of appTables(sqlite)) {
    const columns = sqlite.pragma(`table_info(${JSON.stringify(table)})`) as ColumnInfo[];
    schema[table] = Object.fromEntries(columns.map((c) => [c.name, c.notnull === 1 || c.pk > 0 ? 'not null' : 'null']));
  }
  return schema;
}

function sortedKeys(object: object): string[] {
  return Object.keys(object).sort();
}

let dir: string;
let handle: SqliteHandle;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(process.env.CALLSCORE_TEST_DIR ?? os.tmpdir(), 'migrations-'));
  handle = openDatabase(path.join(dir, 'empty.db'));
});
afterEach(async () => {
  await handle.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('migrations', () => {
  test('an empty file migrates up to the latest version and creates every table', async () => {
    expect(appTables(handle.sqlite)).toEqual([]);
    const result = await migrateToLatest(handle.db);
    const available = (await createMigrator(handle.db).getMigrations()).map((m) => m.name);
    expect(available.length).toBeGreaterThan(0);
    expect(result.results?.map((r) => [r.migrationName, r.status, r.direction])).toEqual(
      available.map((name) => [name, 'Success', 'Up']),
    );
    expect(appTables(handle.sqlite)).toEqual(sortedKeys(expectedSchema));
  });

  test('migrating up twice changes nothing the second time', async () => {
    await migrateToLatest(handle.db);
    const again = await migrateToLatest(handle.db);
    expect(again.results).toEqual([]);
  });

  test('every migration goes down: all tables are gone, and the database migrates up again', async () => {
    await migrateToLatest(handle.db);
    const count = (await createMigrator(handle.db).getMigrations()).length;
    for (let step = 0; step < count; step += 1) {
      const result = await migrateDown(handle.db);
      expect(result.results).toHaveLength(1);
      expect(result.results![0]).toMatchObject({ status: 'Success', direction: 'Down' });
    }
    expect(appTables(handle.sqlite)).toEqual([]);
    const indexes = handle.sqlite
      .prepare(`select name from sqlite_master where type = 'index' and name not like 'sqlite_%'`)
      .all();
    expect(indexes).toEqual([]);
    expect((await migrateDown(handle.db)).results).toEqual([]);

    await migrateToLatest(handle.db);
    expect(actualSchema(handle.sqlite)).toEqual(expectedSchema);
  });

  test('migrating down all the way also works on a database with an organisation in it', async () => {
    await migrateToLatest(handle.db);
    const now = new Date().toISOString();
    const department = await handle.db
      .insertInto('departments')
      .values({ name: 'Care', created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const team = await handle.db
      .insertInto('teams')
      .values({ name: 'A', department_id: department.id, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const user = await handle.db
      .insertInto('users')
      .values({
        username: 'dana',
        display_name: 'Dana',
        password_hash: 'x',
        role: 'supervisor',
        team_id: null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await handle.db.insertInto('team_supervisors').values({ team_id: team.id, user_id: user.id }).execute();
    await handle.db.updateTable('departments').set({ manager_id: user.id }).execute();
    const count = (await createMigrator(handle.db).getMigrations()).length;
    for (let step = 0; step < count; step += 1) await migrateDown(handle.db);
    expect(appTables(handle.sqlite)).toEqual([]);
  });

  test('data written after migrating survives a reopen of the file', async () => {
    await migrateToLatest(handle.db);
    await handle.db.insertInto('settings').values({ key: 'probe', value: 'kept' }).execute();
    await handle.close();
    handle = openDatabase(path.join(dir, 'empty.db'));
    const row = await handle.db.selectFrom('settings').select('value').where('key', '=', 'probe').executeTakeFirst();
    expect(row?.value).toBe('kept');
  });
});

describe('connection pragmas', () => {
  test('an opened database uses WAL, foreign keys, synchronous FULL, a busy timeout and a 4 MB page cache', () => {
    expect(handle.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(handle.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(handle.sqlite.pragma('synchronous', { simple: true })).toBe(2);
    expect(handle.sqlite.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    // Negative: KiB rather than pages (better-sqlite3's own default is -16000).
    expect(handle.sqlite.pragma('cache_size', { simple: true })).toBe(-PAGE_CACHE_KIB);
    expect(PAGE_CACHE_KIB).toBe(4000);
  });

  test('the test app database has the same pragmas', async () => {
    const ctx = makeTestApp();
    try {
      const sqlite = sqliteOf(ctx.database);
      expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(sqlite.pragma('synchronous', { simple: true })).toBe(2);
      expect(sqlite.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    } finally {
      await ctx.close();
    }
  });

  test('foreign keys are enforced: a team in a missing department is refused', async () => {
    await migrateToLatest(handle.db);
    const failure = await handle.db
      .insertInto('teams')
      .values({ name: 'Orphans', department_id: 424242, created_at: new Date().toISOString() })
      .execute()
      .then(
        () => null,
        (err: unknown) => err as { message?: string },
      );
    expect(failure?.message).toMatch(/FOREIGN KEY constraint failed/);
    expect(await handle.db.selectFrom('teams').select('id').execute()).toEqual([]);
  });
});

describe('the Database type matches the migrated schema', () => {
  let schema: Record<string, Record<string, string>>;

  beforeEach(async () => {
    await migrateToLatest(handle.db);
    schema = actualSchema(handle.sqlite);
  });

  test('the same tables in both', () => {
    expect(sortedKeys(schema)).toEqual(sortedKeys(expectedSchema));
  });

  test.each(Object.keys(expectedSchema))('%s: the same columns in both, none extra in either', (table) => {
    const expectedColumns = expectedSchema[table as keyof typeof expectedSchema];
    expect(sortedKeys(schema[table] ?? {})).toEqual(sortedKeys(expectedColumns));
  });

  test.each(Object.keys(expectedSchema))(
    '%s: each column is nullable in the type exactly when it is in the database',
    (table) => {
      expect(schema[table]).toEqual(expectedSchema[table as keyof typeof expectedSchema]);
    },
  );
});
