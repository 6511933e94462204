// The Database type kept in step with migrations/ (test/db/migrations.test.ts compares them), one file of
// tables per feature under schema/. Every table's row types are exported from here.

import type { CallAnalysesTable } from './schema/analysis';
import type { EvaluationAutoAnswersTable } from './schema/auto-answers';
import type { CalibrationParticipantsTable, CalibrationSessionsTable } from './schema/calibration';
import type { CallsTable, SavedCallViewsTable } from './schema/calls';
import type { ImportJobsTable } from './schema/imports';
import type { CoachingTasksTable } from './schema/coaching';
import type { DisputeItemsTable, DisputesTable } from './schema/disputes';
import type { EvaluationAnswersTable, EvaluationRevisionsTable, EvaluationsTable } from './schema/evaluations';
import type { UserRecoveryCodesTable, UserTotpTable } from './schema/mfa';
import type { DepartmentsTable, TeamSupervisorsTable, TeamsTable, UsersTable } from './schema/org';
import type {
  ApiTokensTable,
  AuditLogTable,
  JobRunsTable,
  GuidedStartDismissalsTable,
  LoginThrottleTable,
  SessionsTable,
  SettingsTable,
} from './schema/platform';
import type {
  RollupTeamDayTable,
  RollupCategoryDayTable,
  RollupItemCsatTotalDayTable,
  RollupDirtyTable,
  RollupItemCsatDayTable,
  RollupScoreAgentDayTable,
  RollupScoreEvaluatorDayTable,
  RollupCsatAgentDayTable,
  RollupCallSlotTable,
  RollupCallSlotTotalTable,
  RollupScoreDayTable,
  RollupScoreTotalDayTable,
  RollupCoverageTable,
  RollupCoverageHumanTable,
} from './schema/reports';
import type { RubricItemsTable, RubricOptionsTable, RubricSectionsTable, RubricsTable } from './schema/rubrics';
import type {
  AwardRecipientsTable,
  AwardsTable,
  TrainingAssignmentsTable,
  TrainingBookingsTable,
  TrainingCoursesTable,
  TrainingRecommendationsTable,
} from './schema/training';
import type { SamplingTables } from './schema/sampling';
import type { AutoEvalTables } from './schema/autoeval';
import type { TopicTables } from './schema/topics';
import type { WebhookDeliveriesTable, WebhooksTable } from './schema/webhooks';
import type { CallLegsTable, InboxFilesTable } from './schema/inbox';
import type { PasskeyChallengesTable, UserPasskeysTable } from './schema/passkeys';

export type * from './schema/analysis';
export type * from './schema/auto-answers';
export type * from './schema/autoeval';
export type * from './schema/calibration';
export type * from './schema/calls';
export { CALL_FIGURE_COLUMNS, CALL_FIGURES } from './schema/calls';
export type * from './schema/coaching';
export type * from './schema/disputes';
export type * from './schema/evaluations';
export type * from './schema/imports';
export type * from './schema/mfa';
export type * from './schema/org';
export type * from './schema/platform';
export type * from './schema/reports';
export { SCORE_BANDS, SCORE_DAY_SUMS, SERVICE_LEVEL_SUMS } from './schema/reports';
export type * from './schema/rubrics';
export type * from './schema/sampling';
export type * from './schema/training';
export type * from './schema/webhooks';
export type * from './schema/passkeys';
export type * from './schema/inbox';
export type * from './schema/topics';

export interface Database extends SamplingTables, AutoEvalTables, TopicTables {
  webhooks: WebhooksTable;
  call_legs: CallLegsTable;
  inbox_files: InboxFilesTable;
  webhook_deliveries: WebhookDeliveriesTable;
  rollup_dirty: RollupDirtyTable;
  rollup_team_day: RollupTeamDayTable;
  rollup_category_day: RollupCategoryDayTable;
  rollup_score_day: RollupScoreDayTable;
  rollup_score_total_day: RollupScoreTotalDayTable;
  rollup_item_csat_day: RollupItemCsatDayTable;
  rollup_item_csat_total_day: RollupItemCsatTotalDayTable;
  rollup_score_agent_day: RollupScoreAgentDayTable;
  rollup_score_evaluator_day: RollupScoreEvaluatorDayTable;
  rollup_csat_agent_day: RollupCsatAgentDayTable;
  rollup_call_slot: RollupCallSlotTable;
  rollup_call_slot_total: RollupCallSlotTotalTable;
  rollup_coverage: RollupCoverageTable;
  rollup_coverage_human: RollupCoverageHumanTable;
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
  evaluation_auto_answers: EvaluationAutoAnswersTable;
  coaching_tasks: CoachingTasksTable;
  calls: CallsTable;
  saved_call_views: SavedCallViewsTable;
  call_analyses: CallAnalysesTable;
  users: UsersTable;
  user_totp: UserTotpTable;
  user_recovery_codes: UserRecoveryCodesTable;
  departments: DepartmentsTable;
  teams: TeamsTable;
  team_supervisors: TeamSupervisorsTable;
  sessions: SessionsTable;
  login_throttle: LoginThrottleTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  settings: SettingsTable;
  job_runs: JobRunsTable;
  import_jobs: ImportJobsTable;
  user_passkeys: UserPasskeysTable;
  passkey_challenges: PasskeyChallengesTable;
  guided_start_dismissals: GuidedStartDismissalsTable;
}
