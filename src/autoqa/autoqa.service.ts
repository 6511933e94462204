import type { DB } from '../db/database';
import { callCues } from '../recordings';
import { callForFacts, type CallForFacts } from './autoqa.queries';
import type { AnalysisStatus, CallFacts, Stretch, TranscriptLine } from './types';
import { storedJson } from '../lib/json';

// A call's facts for the rules, from its stored record, transcript and audio analysis (call_analyses: the
// segments JSON written by src/analysis, whose dead_air and overtalk lists are read here).

interface StoredStretches {
  dead_air?: Stretch[];
  overtalk?: Stretch[] | null;
}

function analysisStatus(row: CallForFacts): AnalysisStatus {
  if (row.analysis_status === null) return row.recording_status === 'stored' ? 'pending' : 'no_recording';
  return row.analysis_status === 'running' ? 'pending' : row.analysis_status;
}

/** The recording's length (as analysed, else as probed), else the call record's when it gives one. */
function durationOf(row: CallForFacts, status: AnalysisStatus): number | null {
  const audio = status === 'done' ? row.audio_duration_s : null;
  return audio ?? row.recording_duration_s ?? (row.call_duration_s > 0 ? row.call_duration_s : null);
}

/** The rules' view of a stored call: unknown facts are null, never zero or empty. */
export function factsOf(row: CallForFacts): CallFacts {
  const lines: TranscriptLine[] = callCues(row).map((cue) => ({
    speaker: cue.side,
    start_s: cue.start_s,
    end_s: cue.end_s,
    text: cue.text,
  }));
  const status = analysisStatus(row);
  const stretches = status === 'done' ? storedJson<StoredStretches>(row.segments) : null;
  return {
    transcript: lines.length > 0 ? lines : null,
    duration_s: durationOf(row, status),
    analysis_status: status,
    dead_air: stretches?.dead_air ?? null,
    overtalk: stretches?.overtalk ?? null,
    hold_s: row.hold_s,
  };
}

/** The facts of one call, or undefined when there is no such call. */
export async function loadCallFacts(db: DB, callId: number): Promise<CallFacts | undefined> {
  const row = await callForFacts(db, callId);
  return row ? factsOf(row) : undefined;
}
