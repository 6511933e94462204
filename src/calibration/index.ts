// The calibration room's door: everything other rooms may use of it. Import "../calibration", never its files.
export { calibrationApiRoutes } from './calibration.api';
export { calibrationPaths } from './calibration.openapi';
export { calibrationRoutes } from './calibration.routes';
// How an answer reads on a scorecard: the evaluations room's, still offered here for earlier callers.
export { answerLabel } from '../evaluations';
