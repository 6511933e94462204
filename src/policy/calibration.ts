import type { Executor } from '../db/transaction';
import type { CalibrationSession, Evaluation } from '../db/schema';
import { NotFound } from '../lib/errors';
import { participantOf, sessionById, sessionOfEvaluation } from './calibration.queries';
import { inTeamScope, teamScope, type Actor } from './scope';

// Who may see a calibration session, and when its evaluators' answers stop being blind. The evaluation
// access rule (./evaluations.ts) defers to this file for kind = 'calibration'.

export { participantOf, sessionOfEvaluation };

/** Calibration is staff practice on a call: a CSR never runs, joins nor sees a session. */
export function mayCalibrate(actor: Actor): boolean {
  return actor.role !== 'csr';
}

/**
 * Whom a session's organiser may invite beyond their own teams' supervisors: a supervisor may also invite
 * the managers over their teams (a manager already sees their teams' supervisors, an admin everyone).
 */
export function mayInviteTeamManagers(actor: Actor): boolean {
  return actor.role === 'supervisor';
}

/** Staff see a session they run or score in, or one on a call of their teams. CSRs never see one. */
export async function canSeeSession(db: Executor, actor: Actor, session: CalibrationSession): Promise<boolean> {
  if (!mayCalibrate(actor)) return false;
  if (session.created_by === actor.id || (await participantOf(db, session.id, actor.id))) return true;
  return inTeamScope(await teamScope(db, actor), session.team_id);
}

export async function visibleSessionOr404(db: Executor, actor: Actor, id: number): Promise<CalibrationSession> {
  const session = await sessionById(db, id);
  if (!session || !(await canSeeSession(db, actor, session))) throw new NotFound('No such calibration session.');
  return session;
}

/**
 * Whether the actor may read other evaluators' answers in this session: once it is closed; before that, with
 * "until you submit", an evaluator who has submitted their own and anyone who does not score in it.
 */
export async function othersVisible(db: Executor, actor: Actor, session: CalibrationSession): Promise<boolean> {
  if (session.status === 'closed') return true;
  if (session.blind_until === 'closed') return false;
  const own = await participantOf(db, session.id, actor.id);
  return !own || own.evaluation_status === 'submitted';
}

/** The organiser, an admin, or a manager over the call's team may close a session. */
export async function canManageSession(db: Executor, actor: Actor, session: CalibrationSession): Promise<boolean> {
  if (actor.role === 'admin' || session.created_by === actor.id) return true;
  return actor.role === 'manager' && inTeamScope(await teamScope(db, actor), session.team_id);
}

/** A calibration evaluation: always its own evaluator's; another's only once submitted and no longer blind. */
export async function calibrationEvaluationVisible(
  db: Executor,
  actor: Actor,
  evaluation: Evaluation,
): Promise<boolean> {
  if (!mayCalibrate(actor)) return false;
  if (evaluation.evaluator_id === actor.id) return true;
  if (evaluation.status === 'draft') return false;
  const session = await sessionOfEvaluation(db, evaluation.id);
  if (!session) return false;
  return (await canSeeSession(db, actor, session)) && (await othersVisible(db, actor, session));
}
