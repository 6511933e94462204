// The contract between the audio analyser (decode + metrics + peaks, run in a worker) and the analysis jobs that
// store its results. Times are seconds from the start of the recording.

export interface Segment {
  start_s: number;
  end_s: number;
}

export interface AudioAnalysisOptions {
  /** Which stereo channel carries the agent (DOMAIN.md, Automatic analysis; setting `agent_channel`). */
  agentChannel: 'left' | 'right';
  /** Shortest stretch with neither side speaking that counts as dead air (setting `dead_air_min_s`, default 2). */
  deadAirMinS: number;
  /** Where the worker writes the waveform peaks file (format in ./peaks.ts). */
  peaksPath: string;
  /** Wall-clock limit for the whole analysis; the worker is killed after it. */
  timeLimitMs?: number;
}

export interface AudioAnalysis {
  duration_s: number;
  channels: number;
  sample_rate: number;
  /** Speech stretches per side; on mono only `agent` is filled with the single channel's speech... see `mono`. */
  mono: boolean;
  /** Speech per side; null on mono (no talk ratio on mono: absent, never 0). */
  speech: { agent_s: number; customer_s: number; talk_ratio: number | null } | null;
  /** Total speech on a mono recording (either side); null on stereo. */
  mono_speech_s: number | null;
  /** Null on mono. */
  overtalk: { total_s: number; count: number; segments: Segment[] } | null;
  dead_air: { total_s: number; longest_s: number; segments: Segment[] };
  /** Speech stretches per side (mono: `agent` holds the one channel, `customer` is empty). */
  speech_segments: { agent: Segment[]; customer: Segment[] };
}

export type AudioAnalysisResult = { ok: true; analysis: AudioAnalysis } | { ok: false; message: string };

/** analyseAudio(file, options): decode in a worker with memory and time limits, measure, write peaks. */
export type AnalyseAudio = (file: string, options: AudioAnalysisOptions) => Promise<AudioAnalysisResult>;
