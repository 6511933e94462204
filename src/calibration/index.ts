// The calibration room's door: everything other rooms may use of it. Import "../calibration", never its files.
export { calibrationApiRoutes } from './calibration.api';
export { calibrationPaths } from './calibration.openapi';
export { calibrationRoutes } from './calibration.routes';
export { answerLabel } from './results';
