import type { EvaluationStatus } from '../db/schema';

// The named sets of statuses that decide who sees what and what counts. Every rule that needs one asks for
// it by name here; nothing else spells out a list of statuses.

/** Scorecards a CSR may see (their own only): released, and acknowledged after that. */
export const CSR_VISIBLE: readonly EvaluationStatus[] = ['released', 'acknowledged'];

/** Scorecards that count in figures (reports, dashboards, recognition): submitted and after. */
export const COUNTED_IN_FIGURES: readonly EvaluationStatus[] = ['submitted', 'released', 'acknowledged'];
