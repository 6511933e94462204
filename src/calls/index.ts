// The calls room's door: call records (list, view, ingest of one call, maintenance and retention).
// Import "../calls", never its files. Recordings and transcripts live in "../recordings", the ACD import
// and bulk upload in "../imports".
export { callRecordsApiRoutes } from './calls.api';
export { insertCallIfNew } from './calls.queries';
export { callOf, callRoutes } from './calls.routes';
export { CALL_FIELD_NAMES, callFieldsSchema, REQUIRED_CSV_COLUMNS } from './calls.schemas';
export type { CallFields } from './calls.schemas';
export { deleteCall } from './calls.service';
export { callRow, ingestCall, placeCall } from './ingest.service';
export { TRANSCRIPT_MEDIA_TYPES, TRANSCRIPT_PATH } from './transcript.routes';
export { callSpeakerNames, replaceTranscript } from './transcript.service';
export type { ReplacedTranscript } from './transcript.service';
export type { IngestFiles, IngestResult, Placement } from './ingest.service';
export { applyRetention, reconcileStorage, snapshotStaging, sweepDeadStaging } from './maintenance';
export { liveInstances, newInstanceId, startInstanceLease, STAGING_LEASE_MS } from './staging-instances';
export type { InstanceLease } from './staging-instances';
export type { ReconcileReport, StagedSnapshot } from './maintenance';
export { reconcileObjectStorage } from './remote-reconcile';
export type { RemoteReconcileReport } from './remote-reconcile';
export { newCallRoutes, uploadErrorStatus, uploadPageErrors } from './new-call.routes';
// Kept for the rooms that reached them here before recordings had a room of their own.
export { callCues, RecordingStorage, sendRecording } from '../recordings';
export type { StagedFile } from '../recordings';
export { callPaths } from './calls.openapi';
export { distinctCategories } from './calls.queries';
export { searchCalls } from './calls.service';
export { attachRecording, RecordingExists } from './attach.service';
export type { AttachOptions } from './attach.service';
