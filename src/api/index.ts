// The api room's door: everything other rooms may use of it. Import "../api", never its files.
export { apiRoutes } from './api.routes';
export { openApiDocument } from './openapi';
