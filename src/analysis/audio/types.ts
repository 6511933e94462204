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
  /** Where the worker writes the waveform peaks file (format in ./peaks.ts: agent first); removed on failure. */
  peaksPath: string;
  /** Wall-clock limit for the whole analysis (default 10 minutes); the worker is killed after it. */
  timeLimitMs?: number;
  /** Longest recording analysed (default MAX_DURATION_S, 6 hours); a longer one is a failed analysis. */
  maxDurationS?: number;
}

export interface AudioAnalysis {
  duration_s: number;
  /** Channels in the file: 1 or 2 (more is a failed analysis). */
  channels: number;
  sample_rate: number;
  /** One channel: no sides, so no talk ratio and no overtalk (those are null, never 0). */
  mono: boolean;
  /** Speech per side; null on mono (no talk ratio on mono: absent, never 0). */
  speech: { agent_s: number; customer_s: number; talk_ratio: number | null } | null;
  /** Total speech on a mono recording (either side); null on stereo. */
  mono_speech_s: number | null;
  /** Both sides speaking at once (stretches under 0.1 s ignored); null on mono. */
  overtalk: { total_s: number; count: number; segments: Segment[] } | null;
  /** Stretches of at least deadAirMinS where neither side speaks, leading and trailing silence included. */
  dead_air: { total_s: number; longest_s: number; segments: Segment[] };
  /** Speech stretches per side (mono: `agent` holds the one channel, `customer` is empty). */
  speech_segments: { agent: Segment[]; customer: Segment[] };
}

export type AudioAnalysisResult = { ok: true; analysis: AudioAnalysis } | { ok: false; message: string };

/** analyseAudio(file, options): decode in a worker with memory and time limits, measure, write peaks. */
export type AnalyseAudio = (file: string, options: AudioAnalysisOptions) => Promise<AudioAnalysisResult>;
