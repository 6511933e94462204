// The calls room's door: everything other rooms may use of it. Import "../calls", never its files.
export { callsApiRoutes } from './calls.api';
export { callRoutes } from './calls.routes';
export { callCues } from './calls.service';
export { ImportJobs } from './import-jobs';
export { parseCallsCsv } from './import.service';
export { ingestCall } from './ingest.service';
export type { StagedFile } from './ingest.service';
export { applyRetention, reconcileStorage } from './maintenance';
export { sendRecording } from './recording';
export { RecordingStorage } from './storage';
export { uploadRoutes } from './upload.routes';
export { callPaths } from './calls.openapi';
