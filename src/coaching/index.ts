// The coaching room's door: everything other rooms may use of it. Import "../coaching", never its files.
export { coachingApiRoutes } from './coaching.api';
export { countOverdue, listCoachingTasks } from './coaching.queries';
export { coachingRoutes } from './coaching.routes';
export { visibleTaskOr404 } from './coaching.service';
export { syncCoachingTask } from './coaching.sync';
export { coachingPaths } from './coaching.openapi';
