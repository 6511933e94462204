// The auto-evaluation room's door: automatic evaluations by rubrics in auto mode (kept apart from human
// scorecards, never shown to a CSR), their background runner, and the coverage report. Import "../autoeval".
export { AutoEvaluationRunner, type RunResult } from './autoeval.runner';
export { callFactsChanged } from './autoeval.service';
export { autoEvaluationsOfCall, type AutoEvaluationView } from './call-view';
export { coverageRoutes } from './coverage.routes';
export { dryRunRoutes } from './dry-run.routes';
