import type { Executor } from '../db/transaction';
import type { Evaluation } from '../db/schema';
import { NotFound } from '../lib/errors';
import { calibrationEvaluationVisible } from './calibration';
import { evaluationById } from './evaluations.queries';
import { inTeamScope, teamScope, type Actor } from './scope';
import { CSR_VISIBLE } from './statuses';

/**
 * An evaluation the actor may see. Staff: their teams'; a calibration one only as its session's blindness
 * allows. A CSR: only their own, once released, and never a calibration. Everything else is a 404 with the
 * same message, so nothing reveals a call is being scored.
 */
export async function visibleEvaluationOr404(db: Executor, actor: Actor, id: number): Promise<Evaluation> {
  const evaluation = await evaluationById(db, id);
  if (!evaluation || !(await canSeeEvaluation(db, actor, evaluation))) throw new NotFound('No such scorecard.');
  return evaluation;
}

export async function canSeeEvaluation(db: Executor, actor: Actor, evaluation: Evaluation): Promise<boolean> {
  if (seesOwnScorecardsOnly(actor)) {
    return (
      evaluation.agent_id === actor.id && evaluation.kind === 'standard' && CSR_VISIBLE.includes(evaluation.status)
    );
  }
  if (evaluation.kind === 'calibration') return calibrationEvaluationVisible(db, actor, evaluation);
  return inTeamScope(await teamScope(db, actor), evaluation.team_id);
}

/** Scoring, rescoring and releasing scorecards is staff work: a CSR never scores (nor learns of) a call. */
export function mayScoreCalls(actor: Actor): boolean {
  return actor.role !== 'csr';
}

/** A CSR sees scorecards about themselves only, and those only once released. */
export function seesOwnScorecardsOnly(actor: Actor): boolean {
  return actor.role === 'csr';
}

/** The CSR a scorecard is about: the one who acknowledges it and may dispute it. */
export function isEvaluatedCsr(actor: Actor, evaluation: Pick<Evaluation, 'agent_id'>): boolean {
  return actor.role === 'csr' && evaluation.agent_id === actor.id;
}
