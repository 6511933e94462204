// The policy room's door: every "may this actor see or do this?" is answered here. Import "../policy".
export {
  canManageSession,
  canSeeSession,
  calibrationEvaluationVisible,
  othersVisible,
  participantOf,
  sessionOfEvaluation,
  visibleSessionOr404,
} from './calibration';
export {
  analysedCallOr404,
  mayRunBackfill,
  maySeeAnalysis,
  maySeeSuggestions,
  suggestionsCallOr404,
  visibleCallOr404,
} from './calls';
export { canSeeEvaluation, visibleEvaluationOr404 } from './evaluations';
export {
  STAFF_ROLES,
  actorOf,
  canSeeUser,
  inTeamScope,
  managedDepartmentIds,
  requireRole,
  supervisedTeamIds,
  teamScope,
  visibleUserOr404,
} from './scope';
export type { Actor, TeamScope } from './scope';
export { COUNTED_IN_FIGURES, CSR_VISIBLE } from './statuses';
export { budgetDepartmentIds, isCsrPerson } from './reports';
export { COACHING_ACTIVE, COACHING_AWAITING_CSR, COACHING_DONE, TRAINING_SEAT_OPEN } from './statuses';
export { mayOpenCallPages, mayReplaceTranscript, mayTakeCalls } from './calls';
export { mayEditSamplingPlans } from './sampling';
export { maySeeSetupOutcome } from './setup';
export { isEvaluatedCsr, mayScoreCalls, seesOwnScorecardsOnly } from './evaluations';
export { mayCalibrate, mayInviteTeamManagers } from './calibration';
export {
  canResolveDispute,
  disputeReviewer,
  refuseRescoreInDispute,
  reviewsDisputes,
  visibleDisputeOr404,
} from './disputes';
export type { ReviewerCandidates } from './disputes';
export { ownCharge } from './api';
export { isAdmin, isCsr, isManager, isStaff, isSupervisor, maySeeAllTeams, requireSignedIn } from './scope';
export {
  canSeeCoachingTask,
  coachingListScope,
  isCoachingActive,
  isCoachingOverdue,
  visibleCoachingTaskOr404,
} from './coaching';
export { inDepartments, managedDepartments, mayConfirmTraining } from './training';
export type { DepartmentScope } from './training';
export { assertBreakGlassKept, breakGlassState, mayUsePassword } from './break-glass';
export type { BreakGlassState } from './break-glass';
export { BREAK_GLASS_ID_KEY, BREAK_GLASS_KEY, SSO_ONLY_KEY } from './break-glass.queries';
