// The evaluations room's door: everything other rooms may use of it. Import "../evaluations", never its files.
export { evaluationView } from './evaluation-view';
export { evaluationJson, evaluationsApiRoutes } from './evaluations.api';
export { answerLabel } from './answers';
export { rubricOf } from './checks';
export { answersOf, listEvaluations } from './evaluations.queries';
export { evaluationRoutes } from './evaluations.routes';
export type { ScorecardExtras } from './evaluations.routes';
export { releaseDueEvaluations, rescoreEvaluation, saveEvaluation, startEvaluation } from './evaluations.service';
export type { RescoreContext, SaveOutcome } from './evaluations.service';
export { countUnscored } from './queue.queries';
export { answersFromForm, scoringFormErrors, scoringFormInput } from './scoring-form';
export { evaluationComponents, evaluationPaths, suggestionPaths } from './evaluations.openapi';
export { suggestionsApiRoutes } from './suggestions.api';
export { applyCommentDecisions, staleComments } from './comment-decisions';
export type { StaleComment } from './comment-decisions';
