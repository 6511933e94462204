// The sampling room's door: everything other rooms may use of it. Import "../sampling", never its files.
export { planProgress } from './progress.queries';
export { assignedPicks } from './sampling.queries';
export { samplingRoutes } from './sampling.routes';
export { runSamplingTopUp } from './topup.service';
