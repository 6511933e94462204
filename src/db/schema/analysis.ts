import type { ColumnType, Insertable, Selectable } from 'kysely';

// The automatic analysis of a call's recording: its job in the queue and the figures found.

export type AnalysisStatus = 'pending' | 'running' | 'done' | 'failed' | 'no_recording';

export interface CallAnalysesTable {
  call_id: number;
  status: AnalysisStatus;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  enqueued_at: string;
  run_after: string;
  lease_until: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_s: number | null;
  channels: number | null;
  sample_rate: number | null;
  agent_speech_s: number | null;
  customer_speech_s: number | null;
  talk_ratio: number | null;
  mono_speech_s: number | null;
  overtalk_total_s: number | null;
  overtalk_count: number | null;
  dead_air_total_s: number | null;
  dead_air_longest_s: number | null;
  segments: string | null;
  peaks_file: string | null;
  analysed_at: string | null;
  settings_used: string | null;
  /** Why speech-to-text failed on the last run (the audio figures still stand); null when it did not. */
  stt_error: string | null;
}
export type CallAnalysis = Selectable<CallAnalysesTable>;
export type NewCallAnalysis = Insertable<CallAnalysesTable>;
