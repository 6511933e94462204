// The disputes room's door: everything other rooms may use of it. Import "../disputes", never its files.
export { disputesApiRoutes, evaluationDisputesApiRoutes } from './disputes.api';
export { disputePaths } from './disputes.openapi';
export { evaluationsInReview } from './disputes.queries';
export { disputeRoutes } from './disputes.routes';
export { disputePanel } from './disputes.view';
