import type { EvaluationStatus } from '../db/schema';
import type { CoachingStatus } from '../db/schema/coaching';
import type { AssignmentStatus } from '../db/schema/training';

// The named sets of statuses that decide who sees what and what counts. Every rule that needs one asks for
// it by name here; nothing else spells out a list of statuses.

/** Scorecards a CSR may see (their own only): released, and acknowledged after that. */
export const CSR_VISIBLE: readonly EvaluationStatus[] = ['released', 'acknowledged'];

/** Scorecards that count in figures (reports, dashboards, recognition): submitted and after. */
export const COUNTED_IN_FIGURES: readonly EvaluationStatus[] = ['submitted', 'released', 'acknowledged'];

/** Coaching tasks still to be held: open or scheduled (overdue once past due). */
export const COACHING_ACTIVE: readonly CoachingStatus[] = ['open', 'scheduled'];

/** Coaching that took place: completed, and acknowledged by the CSR after that. */
export const COACHING_DONE: readonly CoachingStatus[] = ['completed', 'acknowledged'];

/** Coaching tasks that still ask something of the CSR: to attend (open, scheduled) or to acknowledge (completed). */
export const COACHING_AWAITING_CSR: readonly CoachingStatus[] = ['open', 'scheduled', 'completed'];

/** A training seat still open: assigned or in progress (completed is done; a seat is never cancelled). */
export const TRAINING_SEAT_OPEN: readonly AssignmentStatus[] = ['assigned', 'in_progress'];
