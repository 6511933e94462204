import type { AppDeps } from '../deps';
import { writeTranscript } from '../recordings';
import { shouldTranscribe, transcribe, type TranscriptLine } from '../speech';

/** What speech-to-text gave for one run: a transcript to store, or the engine's failure, or neither. */
export interface HeardTranscript {
  transcript: { transcript_format: 'vtt' | 'text'; transcript: string } | null;
  /** Why the engine failed; recorded as the analysis's `stt_error`, the audio figures still stand. */
  error: string | null;
}

const NOTHING: HeardTranscript = { transcript: null, error: null };
const SPEAKERS = { agent: 'Agent', customer: 'Customer' } as const;

/** The engine's lines in the stored form: WebVTT with each side's voice (none on mono, where nobody can tell). */
function storedForm(lines: TranscriptLine[]): HeardTranscript['transcript'] {
  const written = writeTranscript(
    lines.map((line) => ({ ...line, side: line.speaker, speaker: line.speaker ? SPEAKERS[line.speaker] : null })),
  );
  return { transcript_format: written.format, transcript: written.text };
}

/**
 * Speech-to-text after a successful audio analysis: only when an engine is configured (STT_ENGINE) and the
 * call has no transcript (one from the phone system always wins). Stereo is heard per channel, the agent's
 * being the `agent_channel` setting. Runs outside any transaction and never throws: a failing engine is an
 * error to record, not a failed analysis.
 */
export async function transcribeRecording(
  deps: AppDeps,
  call: { id: number; recording_status: string | null; transcript: string | null },
  recordingPath: string,
  options: { channels: number; agentChannel: 'left' | 'right' },
): Promise<HeardTranscript> {
  if (!shouldTranscribe(call, deps.config.speech)) return NOTHING;
  try {
    const lines = await transcribe(recordingPath, options, deps.config.speech);
    return { transcript: lines.length > 0 ? storedForm(lines) : null, error: null };
  } catch (err) {
    deps.logger.warn({ err, callId: call.id }, 'speech-to-text failed; the audio analysis stands');
    return { transcript: null, error: err instanceof Error ? err.message : String(err) };
  }
}
