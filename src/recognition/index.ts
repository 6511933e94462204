// The recognition room's door: everything other rooms may use of it. Import "../recognition", never its files.
export { awardsOf } from './recognition.queries';
export { recognitionRoutes } from './recognition.routes';
