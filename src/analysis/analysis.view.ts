import type { Call, CallAnalysis } from '../db/schema';
import type { Segment } from './audio/types';
import { storedJson } from '../lib/json';

type ApiStatus = 'pending' | 'done' | 'failed' | 'no_recording';

export interface StoredSegments {
  dead_air: Segment[];
  overtalk: Segment[] | null;
  speech: { agent: Segment[]; customer: Segment[] };
}

/** A call's analysis as pages and the API show it: the state and, once done, the figures. */
export interface AnalysisSummary {
  status: ApiStatus;
  /** Running jobs read as pending in the API; pages say "being analysed". */
  running: boolean;
  error: string | null;
  duration_s: number | null;
  channels: number | null;
  speech: { agent_s: number; customer_s: number; talk_ratio: number | null } | null;
  mono_speech_s: number | null;
  overtalk: { total_s: number; count: number } | null;
  dead_air: { total_s: number; longest_s: number; segments: Segment[] } | null;
  segments: StoredSegments | null;
  has_waveform: boolean;
  analysed_at: string | null;
  /** Why speech-to-text failed on the last run (the figures still stand); pages for staff only, not the API. */
  stt_error: string | null;
}

function statusOf(row: CallAnalysis | undefined, call: Pick<Call, 'recording_status'>): ApiStatus {
  if (!row) return call.recording_status === 'stored' ? 'pending' : 'no_recording';
  return row.status === 'running' ? 'pending' : row.status;
}

function speechOf(row: CallAnalysis): AnalysisSummary['speech'] {
  if (row.agent_speech_s === null || row.customer_speech_s === null) return null;
  return { agent_s: row.agent_speech_s, customer_s: row.customer_speech_s, talk_ratio: row.talk_ratio };
}

/**
 * The summary of a call's analysis. A call with a recording and no job yet (stored before analysis existed)
 * is pending: the backfill queues it. The waveform goes with the recording (retention deletes both).
 */
export function analysisSummary(row: CallAnalysis | undefined, call: Pick<Call, 'recording_status'>): AnalysisSummary {
  const status = statusOf(row, call);
  const done = row?.status === 'done' ? row : undefined;
  const segments = storedJson<StoredSegments>(done?.segments ?? null);
  return {
    status,
    running: row?.status === 'running',
    error: row?.status === 'failed' ? (row.last_error ?? 'The analysis failed.') : null,
    duration_s: done?.duration_s ?? null,
    channels: done?.channels ?? null,
    speech: done ? speechOf(done) : null,
    mono_speech_s: done?.mono_speech_s ?? null,
    overtalk:
      done && done.overtalk_total_s !== null
        ? { total_s: done.overtalk_total_s, count: done.overtalk_count ?? 0 }
        : null,
    dead_air:
      done && done.dead_air_total_s !== null
        ? {
            total_s: done.dead_air_total_s,
            longest_s: done.dead_air_longest_s ?? 0,
            segments: segments?.dead_air ?? [],
          }
        : null,
    segments,
    has_waveform: Boolean(done?.peaks_file) && call.recording_status === 'stored',
    analysed_at: done?.analysed_at ?? null,
    stt_error: done?.stt_error ?? null,
  };
}

/** GET /api/v1/calls/:id/analysis, exactly as API.md (wave 2) has it. */
export function analysisJson(summary: AnalysisSummary, callId: number) {
  return {
    status: summary.status,
    error: summary.error,
    duration_s: summary.duration_s,
    channels: summary.channels,
    speech: summary.speech,
    overtalk: summary.overtalk,
    dead_air: summary.dead_air,
    waveform_url: summary.has_waveform ? `/api/v1/calls/${callId}/waveform` : null,
  };
}
