// The evaluations room's door: everything other rooms may use of it. Import "../evaluations", never its files.
export { answersFromForm, evaluationView } from './evaluation-view';
export { evaluationJson, evaluationsApiRoutes } from './evaluations.api';
export { answersOf, countUnscored, listEvaluations } from './evaluations.queries';
export { evaluationRoutes } from './evaluations.routes';
export { releaseDueEvaluations, rescoreEvaluation, saveEvaluation, startEvaluation } from './evaluations.service';
export type { SaveOutcome } from './evaluations.service';
export { evaluationComponents, evaluationPaths } from './evaluations.openapi';
