import type { CallFacts, Condition, PhraseSpec, Speaker, TranscriptLine } from '../../src/autoqa';

/** A transcript line. */
export function line(speaker: Speaker | null, start_s: number, end_s: number, text: string): TranscriptLine {
  return { speaker, start_s, end_s, text };
}

/** An analysed stereo call of 120 s with no dead air, overtalk or hold, and the given transcript. */
export function facts(transcript: TranscriptLine[] | null, extra: Partial<CallFacts> = {}): CallFacts {
  return {
    transcript,
    duration_s: 120,
    analysis_status: 'done',
    dead_air: [],
    overtalk: [],
    hold_s: 0,
    ...extra,
  };
}

/** A phrase condition with the schema's defaults. */
export function said(any_of: string[], spec: Partial<PhraseSpec> = {}): Condition {
  return {
    phrase: { any_of, speaker: 'any', within_first_s: null, within_last_s: null, fuzzy: false, ...spec },
  };
}
