import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { SamplingTables } from './schema-sampling';

// The Database type kept in step with migrations/ (test/db/schema-check.test.ts compares them).

export type Role = 'admin' | 'manager' | 'supervisor' | 'csr';
export type BudgetPeriod = 'month' | 'quarter' | 'year';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  password_hash: string;
  role: Role;
  team_id: number | null;
  active: ColumnType<number, number | undefined, number>;
  created_at: string;
  updated_at: string;
}

export interface DepartmentsTable {
  id: Generated<number>;
  name: string;
  manager_id: number | null;
  budget_cents: ColumnType<number, number | undefined, number>;
  budget_period: ColumnType<BudgetPeriod, BudgetPeriod | undefined, BudgetPeriod>;
  created_at: string;
}

export interface TeamsTable {
  id: Generated<number>;
  name: string;
  department_id: number;
  created_at: string;
}

export interface TeamSupervisorsTable {
  team_id: number;
  user_id: number;
}

export interface SessionsTable {
  sid: string;
  user_id: number | null;
  data: string;
  expires_at: number;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_started_at: number;
  blocked_until: number | null;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor_id: number | null;
  action: string;
  entity_type: string | null;
  entity_id: number | null;
  details: string | null;
  ip: string | null;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export type Direction = 'inbound' | 'outbound';
export type RecordingStatus = 'stored' | 'missing' | 'deleted';

export interface CallsTable {
  id: Generated<number>;
  source: ColumnType<string, string | undefined, string>;
  external_id: string;
  agent_id: number | null;
  team_id: number | null;
  queue: string | null;
  started_at: string;
  direction: Direction;
  category: string | null;
  queue_wait_s: ColumnType<number, number | undefined, number>;
  hold_s: ColumnType<number, number | undefined, number>;
  duration_s: ColumnType<number, number | undefined, number>;
  csat: number | null;
  abandoned: ColumnType<number, number | undefined, number>;
  evaluation_count: ColumnType<number, number | undefined, number>;
  recording_status: RecordingStatus | null;
  recording_file: string | null;
  recording_original_name: string | null;
  recording_mime: string | null;
  recording_bytes: number | null;
  recording_sha256: string | null;
  recording_codec: string | null;
  recording_channels: number | null;
  recording_sample_rate: number | null;
  recording_duration_s: number | null;
  recording_deleted_at: string | null;
  transcript_format: 'vtt' | 'text' | null;
  transcript: string | null;
  created_by: number | null;
  created_at: string;
}

export type RubricStatus = 'draft' | 'published' | 'retired';
export type ReleaseMode = 'on_submit' | 'after_days' | 'manual' | 'never';
export type ItemType = 'yes_no' | 'scale' | 'choice';
export type EvaluationStatus = 'draft' | 'submitted' | 'released' | 'acknowledged';
export type CoachingStatus = 'open' | 'scheduled' | 'completed' | 'acknowledged' | 'cancelled';
export type DisputeReviewer = 'supervisor' | 'manager';
export type DisputeStatus = 'open' | 'upheld' | 'rescored';
export type BlindUntil = 'submitted' | 'closed';

export interface RubricsTable {
  id: Generated<number>;
  family_id: number | null;
  version: ColumnType<number, number | undefined, number>;
  name: string;
  description: string | null;
  status: ColumnType<RubricStatus, RubricStatus | undefined, RubricStatus>;
  pass_threshold: ColumnType<number, number | undefined, number>;
  release_mode: ColumnType<ReleaseMode, ReleaseMode | undefined, ReleaseMode>;
  release_after_days: number | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
  published_at: string | null;
  retired_at: string | null;
  disputes_enabled: ColumnType<number, number | undefined, number>;
  dispute_limit: ColumnType<number, number | undefined, number>;
  dispute_window_days: ColumnType<number, number | undefined, number>;
  dispute_reviewer: ColumnType<DisputeReviewer, DisputeReviewer | undefined, DisputeReviewer>;
}

export interface RubricSectionsTable {
  id: Generated<number>;
  rubric_id: number;
  position: number;
  title: string;
  weight: number;
  threshold: number | null;
}

export interface RubricItemsTable {
  id: Generated<number>;
  rubric_id: number;
  section_id: number;
  position: number;
  prompt: string;
  guidance: string | null;
  type: ItemType;
  max_points: number;
  allow_na: ColumnType<number, number | undefined, number>;
  critical: ColumnType<number, number | undefined, number>;
  comment_required: ColumnType<number, number | undefined, number>;
}

export interface RubricOptionsTable {
  id: Generated<number>;
  item_id: number;
  position: number;
  label: string;
  points: number;
}

export interface EvaluationsTable {
  id: Generated<number>;
  call_id: number;
  rubric_id: number;
  agent_id: number;
  team_id: number | null;
  evaluator_id: number;
  kind: ColumnType<'standard' | 'calibration', 'standard' | 'calibration' | undefined, 'standard' | 'calibration'>;
  status: ColumnType<EvaluationStatus, EvaluationStatus | undefined, EvaluationStatus>;
  revision: ColumnType<number, number | undefined, number>;
  rescore_count: ColumnType<number, number | undefined, number>;
  score: number | null;
  raw_score: number | null;
  passed: number | null;
  critical_failed: ColumnType<number, number | undefined, number>;
  section_scores: ColumnType<string, string | undefined, string>;
  comment: string | null;
  time_spent_s: ColumnType<number, number | undefined, number>;
  created_at: string;
  updated_at: string;
  updated_by: number | null;
  submitted_at: string | null;
  release_due_at: string | null;
  released_at: string | null;
  acknowledged_at: string | null;
  ack_comment: string | null;
}

export interface EvaluationAnswersTable {
  evaluation_id: number;
  item_id: number;
  value: string;
  points: number | null;
  max_points: number | null;
  comment: string | null;
  at_s: number | null;
}

export interface EvaluationRevisionsTable {
  id: Generated<number>;
  evaluation_id: number;
  snapshot: string;
  reason: string;
  replaced_by: number | null;
  replaced_at: string;
}

export interface CoachingTasksTable {
  id: Generated<number>;
  csr_id: number;
  assignee_id: number | null;
  team_id: number | null;
  evaluation_id: number | null;
  parent_task_id: number | null;
  status: ColumnType<CoachingStatus, CoachingStatus | undefined, CoachingStatus>;
  focus: ColumnType<string, string | undefined, string>;
  due_at: string;
  scheduled_at: string | null;
  completed_at: string | null;
  notes: string | null;
  actions: string | null;
  acknowledged_at: string | null;
  cancelled_at: string | null;
  cancel_note: string | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

export type GroupRule = 'every_n_free' | 'percent_off';
export type AssignmentStatus = 'assigned' | 'in_progress' | 'completed';

export interface TrainingCoursesTable {
  id: Generated<number>;
  title: string;
  description: string | null;
  provider: string | null;
  duration_minutes: number | null;
  cost_cents: number;
  group_rule: GroupRule | null;
  group_n: number | null;
  group_min_seats: number | null;
  group_percent: number | null;
  retired_at: string | null;
  created_by: number | null;
  created_at: string;
}

export interface TrainingBookingsTable {
  id: Generated<number>;
  course_id: number;
  department_id: number;
  booked_by: number | null;
  seats: number;
  price_per_seat_cents: number;
  free_seats: ColumnType<number, number | undefined, number>;
  total_cents: number;
  period_key: string;
  due_at: string;
  over_budget: ColumnType<number, number | undefined, number>;
  idempotency_key: string | null;
  created_at: string;
}

export interface TrainingAssignmentsTable {
  id: Generated<number>;
  booking_id: number;
  csr_id: number;
  status: ColumnType<AssignmentStatus, AssignmentStatus | undefined, AssignmentStatus>;
  due_at: string;
  completed_at: string | null;
  confirmed_by: number | null;
  confirmed_at: string | null;
  created_at: string;
}

export interface TrainingRecommendationsTable {
  id: Generated<number>;
  coaching_task_id: number | null;
  csr_id: number;
  course_id: number;
  department_id: number;
  recommended_by: number | null;
  note: string | null;
  status: ColumnType<
    'pending' | 'approved' | 'declined',
    'pending' | 'approved' | 'declined' | undefined,
    'pending' | 'approved' | 'declined'
  >;
  decided_by: number | null;
  decided_at: string | null;
  decline_reason: string | null;
  booking_id: number | null;
  created_at: string;
}

export interface AwardsTable {
  id: Generated<number>;
  department_id: number;
  awarded_by: number | null;
  title: string;
  note: string | null;
  amount_cents: number;
  total_cents: number;
  period_key: string;
  over_budget: ColumnType<number, number | undefined, number>;
  idempotency_key: string | null;
  created_at: string;
}

export interface AwardRecipientsTable {
  award_id: number;
  csr_id: number;
}

export interface DisputesTable {
  id: Generated<number>;
  evaluation_id: number;
  csr_id: number;
  team_id: number | null;
  evaluator_id: number;
  assignee_id: number | null;
  status: ColumnType<DisputeStatus, DisputeStatus | undefined, DisputeStatus>;
  reason: string;
  score_before: number | null;
  score_after: number | null;
  opened_at: string;
  resolved_at: string | null;
  resolved_by: number | null;
  resolution_reason: string | null;
}

export interface DisputeItemsTable {
  dispute_id: number;
  item_id: number;
  value_before: string;
  points_before: number;
  max_points: number;
  value_after: string | null;
  points_after: number | null;
}

export interface CalibrationSessionsTable {
  id: Generated<number>;
  call_id: number;
  rubric_id: number;
  team_id: number | null;
  title: string;
  expert_id: number | null;
  blind_until: ColumnType<BlindUntil, BlindUntil | undefined, BlindUntil>;
  status: ColumnType<'open' | 'closed', 'open' | 'closed' | undefined, 'open' | 'closed'>;
  created_by: number | null;
  created_at: string;
  closed_at: string | null;
  closed_by: number | null;
}

export interface CalibrationParticipantsTable {
  session_id: number;
  user_id: number;
  evaluation_id: number | null;
}

/** Days whose roll-ups are stale (see migrations/20261123T2100_report_rollups.ts). */
export interface RollupDirtyTable {
  kind: 'calls' | 'scores';
  day: string;
}

export interface RollupCallDayTable {
  day: string;
  team_id: number;
  category: string;
  threshold_s: number;
  calls: number;
  offered: number;
  answered: number;
  abandoned: number;
  within_threshold: number;
  wait_total: number;
  hold_total: number;
  csat_n: number;
  csat_total: number;
  evaluations: number;
  scored: number;
  score_total: number;
}

export interface RollupItemDayTable {
  day: string;
  team_id: number;
  item_id: number;
  answered: number;
  failed: number;
}

export interface RollupItemCsatDayTable {
  day: string;
  team_id: number;
  item_id: number;
  n_passed: number;
  csat_passed: number;
  n_failed: number;
  csat_failed: number;
}

export interface Database extends SamplingTables {
  rollup_dirty: RollupDirtyTable;
  rollup_call_day: RollupCallDayTable;
  rollup_item_day: RollupItemDayTable;
  rollup_item_csat_day: RollupItemCsatDayTable;
  disputes: DisputesTable;
  dispute_items: DisputeItemsTable;
  calibration_sessions: CalibrationSessionsTable;
  calibration_participants: CalibrationParticipantsTable;
  training_courses: TrainingCoursesTable;
  training_bookings: TrainingBookingsTable;
  training_assignments: TrainingAssignmentsTable;
  training_recommendations: TrainingRecommendationsTable;
  awards: AwardsTable;
  award_recipients: AwardRecipientsTable;
  rubrics: RubricsTable;
  rubric_sections: RubricSectionsTable;
  rubric_items: RubricItemsTable;
  rubric_options: RubricOptionsTable;
  evaluations: EvaluationsTable;
  evaluation_answers: EvaluationAnswersTable;
  evaluation_revisions: EvaluationRevisionsTable;
  coaching_tasks: CoachingTasksTable;
  calls: CallsTable;
  users: UsersTable;
  departments: DepartmentsTable;
  teams: TeamsTable;
  team_supervisors: TeamSupervisorsTable;
  sessions: SessionsTable;
  login_throttle: LoginThrottleTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  settings: SettingsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type Department = Selectable<DepartmentsTable>;
export type Team = Selectable<TeamsTable>;
export type ApiToken = Selectable<ApiTokensTable>;
export type AuditEntry = Selectable<AuditLogTable>;
export type Call = Selectable<CallsTable>;
export type NewCall = Insertable<CallsTable>;
export type Rubric = Selectable<RubricsTable>;
export type Evaluation = Selectable<EvaluationsTable>;
export type CoachingTask = Selectable<CoachingTasksTable>;
export type Dispute = Selectable<DisputesTable>;
export type CalibrationSession = Selectable<CalibrationSessionsTable>;
export type TrainingCourse = Selectable<TrainingCoursesTable>;
export type TrainingBooking = Selectable<TrainingBookingsTable>;
