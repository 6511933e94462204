import fsp from 'node:fs/promises';
import type { NewCall } from '../db/schema';
import type { AppDeps } from '../deps';
import { errorKind } from '../lib/errors';
import { probeAudio } from './audio-probe';
import { sniffAudioFile, wavIsTruncated } from './audio-type';
import { sha256File, type RecordingStorage, type StagedFile } from './storage';
import type { SpeakerNames } from './speakers';
import {
  MAX_TRANSCRIPT_BYTES,
  TranscriptError,
  TranscriptTooLarge,
  validateTranscript,
  type CheckedTranscript,
} from './transcript';

export class UnsupportedMedia extends errorKind(415, 'unsupported_media_type') {}
export class PayloadTooLarge extends errorKind(413, 'too_large') {}
export class Unprocessable extends errorKind(422, 'invalid_file') {}

/** A checked recording: its final file name and the call columns that describe it. */
export interface CheckedRecording {
  file: string;
  columns: Partial<NewCall>;
}

/** Checks a staged recording (real audio of a supported type, whole, not empty) and reads its format. */
export async function checkRecording(deps: AppDeps, staged: StagedFile): Promise<CheckedRecording> {
  const stagedPath = deps.storage.stagedPath(staged.stagedName);
  if (staged.size === 0) throw new Unprocessable('The recording is empty.');
  const type = await sniffAudioFile(stagedPath);
  if (!type) {
    throw new UnsupportedMedia(
      'The recording is not a supported audio file (WAV, MP3, OGG/Opus, FLAC, M4A/AAC, WebM).',
    );
  }
  if (type.extension === 'wav' && (await wavIsTruncated(stagedPath, staged.size))) {
    throw new Unprocessable('The WAV recording is cut short: it holds less audio than its header says.');
  }
  const probe = await probeAudio(stagedPath);
  if (!probe.ok) throw new Unprocessable(probe.message);
  if (!probe.format.duration_s) throw new Unprocessable('The recording holds no audio.');
  return {
    file: `${staged.stagedName}.${type.extension}`,
    columns: {
      recording_status: 'stored',
      recording_original_name: staged.originalName.slice(0, 255),
      recording_mime: type.mime,
      recording_bytes: staged.size,
      recording_sha256: await sha256File(stagedPath),
      recording_codec: probe.format.codec?.slice(0, 60) ?? null,
      recording_channels: probe.format.channels,
      recording_sample_rate: probe.format.sample_rate,
      recording_duration_s: probe.format.duration_s,
    },
  };
}

/**
 * Checks a staged transcript (WebVTT, SRT, JSON or plain text in UTF-8, at most 2 MB, every named speaker on
 * the agent's or the customer's side): 413 when too large, 422 with the reason otherwise.
 */
export async function checkTranscript(
  deps: AppDeps,
  staged: StagedFile,
  names?: SpeakerNames,
): Promise<CheckedTranscript> {
  if (staged.size > MAX_TRANSCRIPT_BYTES) throw new PayloadTooLarge('The transcript is larger than 2 MB.');
  const bytes = await fsp.readFile(deps.storage.stagedPath(staged.stagedName));
  try {
    return validateTranscript(bytes, names);
  } catch (err) {
    if (err instanceof TranscriptTooLarge) throw new PayloadTooLarge(err.message);
    if (err instanceof TranscriptError) throw new Unprocessable(err.message);
    throw err;
  }
}

/** Whatever is still in staging after an upload is handled (refused, duplicate, or already moved) is removed. */
export async function discardStaged(storage: RecordingStorage, files: Array<StagedFile | undefined>): Promise<void> {
  for (const file of files) {
    if (file) await storage.removeStaged(file.stagedName);
  }
}
