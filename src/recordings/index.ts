// The recordings room's door: audio files, their staging and checks, and transcripts. Import "../recordings".
export { probeAudio } from './audio-probe';
export type { AudioFormat, ProbeResult } from './audio-probe';
export { sniffAudio, sniffAudioFile } from './audio-type';
export { checkRecording, checkTranscript, discardStaged, Unprocessable, UnsupportedMedia } from './checks';
export type { CheckedRecording } from './checks';
export { sendRecording } from './recording';
export { RecordingStorage, sha256File } from './storage';
export type { StagedFile } from './storage';
export { callCues, transcriptCues, validateTranscript } from './transcript';
export type { Cue, TranscriptFormat } from './transcript';
export {
  callFilesUploader,
  PayloadTooLarge,
  requireType,
  stageBody,
  stagedCallFiles,
  stagedFile,
  stagedFiles,
  uploader,
} from './upload';
