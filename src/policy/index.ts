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
export { visibleCallOr404 } from './calls';
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
export {
  COACHING_ACTIVE,
  COACHING_DONE,
  canSeeCoachingTask,
  coachingListScope,
  isCoachingActive,
  isCoachingOverdue,
  isCsr,
  isSupervisor,
  visibleCoachingTaskOr404,
} from './coaching';
export { inDepartments, managedDepartments, mayConfirmTraining } from './training';
export type { DepartmentScope } from './training';
