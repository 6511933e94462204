// The recordings room's door: audio files, their staging and checks, and transcripts. Import "../recordings".
export { probeAudio } from './audio-probe';
export type { AudioFormat, ProbeResult } from './audio-probe';
export { sniffAudio, sniffAudioFile } from './audio-type';
export {
  checkRecording,
  checkTranscript,
  discardStaged,
  PayloadTooLarge,
  Unprocessable,
  UnsupportedMedia,
} from './checks';
export type { CheckedRecording } from './checks';
export { sendRecording } from './recording';
export { RecordingStorage, sha256File } from './storage';
export { S3RecordingStorage } from './s3-storage';
export type { ListedObject, StoredObject } from './s3-storage';
export { createRecordingStorage, storageReady } from './storage-factory';
export { StorageUnavailable } from './s3-client';
export { sendStoredWaveform } from './recording';
export type { StagedFile } from './storage';
export {
  DEFAULT_AGENT_NAMES,
  DEFAULT_CUSTOMER_NAMES,
  DEFAULT_SPEAKER_NAMES,
  nameList,
  sideOf,
  speakerNamesFor,
} from './speakers';
export type { Side, SpeakerNames } from './speakers';
export { callCues, MAX_TRANSCRIPT_BYTES, transcriptCues, validateTranscript } from './transcript';
export type { CheckedTranscript, Cue, TranscriptFormat } from './transcript';
export { writeTranscript } from './transcript-formats';
export type { SourceFormat } from './transcript-formats';
export {
  callFilesUploader,
  requireType,
  stageBody,
  stagedCallFiles,
  stagedFile,
  stagedFiles,
  uploader,
} from './upload';
