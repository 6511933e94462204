// The rubrics room's door: everything other rooms may use of it. Import "../rubrics", never its files.
export { ensureDefaultRubric } from './default-rubric';
export { rubricsApiRoutes } from './rubrics.api';
export { findRubric, loadRubric, publishedRubrics, scoringModel } from './rubrics.queries';
export type { FullItem, FullRubric } from './rubrics.queries';
export { rubricRoutes, type RubricPageExtras } from './rubrics.routes';
export { rubricPaths } from './rubrics.openapi';
