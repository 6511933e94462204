// The facts a rule is evaluated on, and what an evaluation gives back. Times are seconds from the start of the
// call's recording (the transcript's own times), as in src/analysis/audio/types.ts.

export type Speaker = 'agent' | 'customer';

/** One transcript line. A line with no times (plain-text transcripts) has negative or non-finite times. */
export interface TranscriptLine {
  speaker: Speaker | null;
  start_s: number;
  end_s: number;
  text: string;
}

export interface Stretch {
  start_s: number;
  end_s: number;
}

export type AnalysisStatus = 'pending' | 'done' | 'failed' | 'no_recording';

/** Everything the rules know about one call. `null` means "not known", never "none". */
export interface CallFacts {
  /** The transcript's lines in time order; null (or empty) when the call has no transcript. */
  transcript: readonly TranscriptLine[] | null;
  /** The recording's duration, else the call record's; null when neither is known. */
  duration_s: number | null;
  /** The audio analysis's state; null when the call was never queued for one. */
  analysis_status: AnalysisStatus | null;
  /** Dead-air stretches (meaningful when analysis_status is 'done'). */
  dead_air: readonly Stretch[] | null;
  /** Overtalk stretches; null on a mono recording (no overtalk figures, never 0). */
  overtalk: readonly Stretch[] | null;
  /** Hold seconds from the call record; null when the phone system did not say. */
  hold_s: number | null;
}

/** A transcript line or an audio stretch behind an answer, with the matched characters for highlighting. */
export type Evidence =
  | {
      kind: 'line';
      speaker: Speaker | null;
      start_s: number;
      end_s: number;
      text: string;
      /** Character range [start, end) of the match in `text`. */
      match: { start: number; end: number };
    }
  | { kind: 'dead_air' | 'overtalk'; speaker: null; start_s: number; end_s: number; text: null; match: null };

/** Evidence as stored and sent (JSON columns, API answers): the same fields, flattened out of the union. */
export interface EvidenceJson {
  kind: Evidence['kind'];
  start_s: number;
  end_s: number;
  speaker: Evidence['speaker'];
  text: string | null;
  match: { start: number; end: number } | null;
}

/** One piece of evidence as plain JSON, its fields in the stored order (kind, times, speaker, text, match). */
export const evidenceJson = (e: Evidence): EvidenceJson => ({
  kind: e.kind,
  start_s: e.start_s,
  end_s: e.end_s,
  speaker: e.speaker,
  text: e.text,
  match: e.match,
});

/** Kleene's three values: true, false, or not known (null). */
export type Truth = boolean | null;

export interface ConditionResult {
  value: Truth;
  reason: string;
  evidence: Evidence[];
}

export type RuleResult<A> =
  { answer: A; reason: string; evidence: Evidence[] } | { answer: null; reason: string; evidence: Evidence[] };
