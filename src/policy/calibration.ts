import type { DB } from '../db/database';
import type { CalibrationSession, Evaluation } from '../db/schema';
import { NotFound } from '../lib/errors';
import { inTeamScope, teamScope, type Actor } from './scope';

// Who may see a calibration session, and when its evaluators' answers stop being blind. The evaluation
// access rule (./evaluations.ts) defers to this file for kind = 'calibration'.

export async function participantOf(db: DB, sessionId: number, userId: number) {
  return db
    .selectFrom('calibration_participants as p')
    .leftJoin('evaluations as e', 'e.id', 'p.evaluation_id')
    .select(['p.session_id', 'p.user_id', 'p.evaluation_id', 'e.status as evaluation_status'])
    .where('p.session_id', '=', sessionId)
    .where('p.user_id', '=', userId)
    .executeTakeFirst();
}

/** Staff see a session they run or score in, or one on a call of their teams. CSRs never see one. */
export async function canSeeSession(db: DB, actor: Actor, session: CalibrationSession): Promise<boolean> {
  if (actor.role === 'csr') return false;
  if (session.created_by === actor.id || (await participantOf(db, session.id, actor.id))) return true;
  return inTeamScope(await teamScope(db, actor), session.team_id);
}

export async function visibleSessionOr404(db: DB, actor: Actor, id: number): Promise<CalibrationSession> {
  const session = await db.selectFrom('calibration_sessions').selectAll().where('id', '=', id).executeTakeFirst();
  if (!session || !(await canSeeSession(db, actor, session))) throw new NotFound('No such calibration session.');
  return session;
}

/**
 * Whether the actor may read other evaluators' answers in this session: once it is closed; before that, with
 * "until you submit", an evaluator who has submitted their own and anyone who does not score in it.
 */
export async function othersVisible(db: DB, actor: Actor, session: CalibrationSession): Promise<boolean> {
  if (session.status === 'closed') return true;
  if (session.blind_until === 'closed') return false;
  const own = await participantOf(db, session.id, actor.id);
  return !own || own.evaluation_status === 'submitted';
}

/** The organiser, an admin, or a manager over the call's team may close a session. */
export async function canManageSession(db: DB, actor: Actor, session: CalibrationSession): Promise<boolean> {
  if (actor.role === 'admin' || session.created_by === actor.id) return true;
  return actor.role === 'manager' && inTeamScope(await teamScope(db, actor), session.team_id);
}

export async function sessionOfEvaluation(db: DB, evaluationId: number): Promise<CalibrationSession | undefined> {
  return db
    .selectFrom('calibration_sessions as s')
    .innerJoin('calibration_participants as p', 'p.session_id', 's.id')
    .selectAll('s')
    .where('p.evaluation_id', '=', evaluationId)
    .executeTakeFirst();
}

/** A calibration evaluation: always its own evaluator's; another's only once submitted and no longer blind. */
export async function calibrationEvaluationVisible(db: DB, actor: Actor, evaluation: Evaluation): Promise<boolean> {
  if (actor.role === 'csr') return false;
  if (evaluation.evaluator_id === actor.id) return true;
  if (evaluation.status === 'draft') return false;
  const session = await sessionOfEvaluation(db, evaluation.id);
  if (!session) return false;
  return (await canSeeSession(db, actor, session)) && (await othersVisible(db, actor, session));
}
