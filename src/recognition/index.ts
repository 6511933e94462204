// The recognition room's door: everything other rooms may use of it. Import "../recognition", never its files.
export { recognitionRoutes } from './recognition.routes';
export { awardsOf } from './recognition.service';
