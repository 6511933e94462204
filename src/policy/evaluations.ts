import type { DB } from '../db/database';
import type { Evaluation } from '../db/schema';
import { NotFound } from '../lib/errors';
import { calibrationEvaluationVisible } from './calibration';
import { inTeamScope, teamScope, type Actor } from './scope';
import { CSR_VISIBLE } from './statuses';

/**
 * An evaluation the actor may see. Staff: their teams'; a calibration one only as its session's blindness
 * allows. A CSR: only their own, once released, and never a calibration. Everything else is a 404 with the
 * same message, so nothing reveals a call is being scored.
 */
export async function visibleEvaluationOr404(db: DB, actor: Actor, id: number): Promise<Evaluation> {
  const evaluation = await db.selectFrom('evaluations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!evaluation || !(await canSeeEvaluation(db, actor, evaluation))) throw new NotFound('No such scorecard.');
  return evaluation;
}

export async function canSeeEvaluation(db: DB, actor: Actor, evaluation: Evaluation): Promise<boolean> {
  if (actor.role === 'csr') {
    return (
      evaluation.agent_id === actor.id && evaluation.kind === 'standard' && CSR_VISIBLE.includes(evaluation.status)
    );
  }
  if (evaluation.kind === 'calibration') return calibrationEvaluationVisible(db, actor, evaluation);
  return inTeamScope(await teamScope(db, actor), evaluation.team_id);
}
