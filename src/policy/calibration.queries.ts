import type { Executor } from '../db/transaction';
import type { CalibrationSession } from '../db/schema';

// The lookups the calibration access rules need.

export async function participantOf(db: Executor, sessionId: number, userId: number) {
  return db
    .selectFrom('calibration_participants as p')
    .leftJoin('evaluations as e', 'e.id', 'p.evaluation_id')
    .select(['p.session_id', 'p.user_id', 'p.evaluation_id', 'e.status as evaluation_status'])
    .where('p.session_id', '=', sessionId)
    .where('p.user_id', '=', userId)
    .executeTakeFirst();
}

export async function sessionById(db: Executor, id: number): Promise<CalibrationSession | undefined> {
  return db.selectFrom('calibration_sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function sessionOfEvaluation(db: Executor, evaluationId: number): Promise<CalibrationSession | undefined> {
  return db
    .selectFrom('calibration_sessions as s')
    .innerJoin('calibration_participants as p', 'p.session_id', 's.id')
    .selectAll('s')
    .where('p.evaluation_id', '=', evaluationId)
    .executeTakeFirst();
}
