import type { Insertable } from 'kysely';
import type { CalibrationSessionsTable, EvaluationsTable } from '../db/schema';
import type { Executor } from '../db/transaction';
import { mayInviteTeamManagers, STAFF_ROLES, type Actor, type TeamScope } from '../policy';
import { idsIn } from '../db/ids';

export async function findSession(db: Executor, id: number) {
  return db.selectFrom('calibration_sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A session's evaluators with their calibration scorecard, if they started one. */
export async function participantsOf(db: Executor, sessionId: number) {
  return db
    .selectFrom('calibration_participants as p')
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .leftJoin('evaluations as e', 'e.id', 'p.evaluation_id')
    .select([
      'p.user_id',
      'p.evaluation_id',
      'u.display_name',
      'u.username',
      'e.status as evaluation_status',
      'e.score',
      'e.raw_score',
      'e.passed',
      'e.critical_failed',
      'e.submitted_at',
      'e.comment',
    ])
    .where('p.session_id', '=', sessionId)
    .orderBy('u.display_name')
    .execute();
}

export type Participant = Awaited<ReturnType<typeof participantsOf>>[number];

export async function answersOfEvaluations(db: Executor, evaluationIds: number[]) {
  if (evaluationIds.length === 0) return [];
  return db
    .selectFrom('evaluation_answers')
    .select(['evaluation_id', 'item_id', 'value', 'points', 'max_points', 'comment'])
    .where('evaluation_id', 'in', evaluationIds)
    .execute();
}

export interface SessionListFilter {
  scope: TeamScope;
  actor: Actor;
  status?: 'open' | 'closed';
  beforeId?: number;
  limit: number;
}

/** Sessions with their call, rubric and people, and the actor's part in each, newest first. */
function sessionsWithCounts(db: Executor, actorId: number) {
  return db
    .selectFrom('calibration_sessions as s')
    .innerJoin('calls as c', 'c.id', 's.call_id')
    .innerJoin('rubrics as r', 'r.id', 's.rubric_id')
    .leftJoin('users as expert', 'expert.id', 's.expert_id')
    .leftJoin('users as creator', 'creator.id', 's.created_by')
    .select((eb) => [
      's.id',
      's.title',
      's.status',
      's.blind_until',
      's.created_at',
      's.closed_at',
      's.created_by',
      's.expert_id',
      'c.external_id',
      'c.started_at as call_started_at',
      'r.name as rubric_name',
      'r.version as rubric_version',
      'expert.display_name as expert_name',
      'creator.display_name as creator_name',
      eb
        .selectFrom('calibration_participants as p')
        .select((inner) => inner.fn.countAll<number>().as('n'))
        .whereRef('p.session_id', '=', 's.id')
        .as('participant_count'),
      eb
        .selectFrom('calibration_participants as p')
        .innerJoin('evaluations as e', 'e.id', 'p.evaluation_id')
        .select((inner) => inner.fn.countAll<number>().as('n'))
        .whereRef('p.session_id', '=', 's.id')
        .where('e.status', '=', 'submitted')
        .as('submitted_count'),
      eb
        .selectFrom('calibration_participants as p')
        .innerJoin('evaluations as e', 'e.id', 'p.evaluation_id')
        .select('e.status')
        .whereRef('p.session_id', '=', 's.id')
        .where('p.user_id', '=', actorId)
        .as('own_status'),
      eb
        .exists(
          eb
            .selectFrom('calibration_participants as p')
            .select('p.user_id')
            .whereRef('p.session_id', '=', 's.id')
            .where('p.user_id', '=', actorId),
        )
        .as('invited'),
    ])
    .orderBy('s.id', 'desc');
}

/** Sessions the actor may see (their teams', or ones they run or score in), newest first. */
export async function listSessions(db: Executor, filter: SessionListFilter) {
  let query = sessionsWithCounts(db, filter.actor.id).limit(filter.limit);
  if (filter.status) query = query.where('s.status', '=', filter.status);
  if (filter.beforeId) query = query.where('s.id', '<', filter.beforeId);
  if (!filter.scope.all) {
    const teamIds = idsIn(filter.scope.teamIds);
    query = query.where((eb) =>
      eb.or([
        eb('s.team_id', 'in', teamIds),
        eb('s.created_by', '=', filter.actor.id),
        eb.exists(
          eb
            .selectFrom('calibration_participants as p')
            .select('p.user_id')
            .whereRef('p.session_id', '=', 's.id')
            .where('p.user_id', '=', filter.actor.id),
        ),
      ]),
    );
  }
  return query.execute();
}

export type SessionRow = Awaited<ReturnType<typeof listSessions>>[number];

/**
 * Staff the actor may invite: an admin anyone on staff; a manager themselves and the supervisors of their
 * departments' teams; a supervisor themselves, their teams' other supervisors and those teams' managers.
 */
export async function invitableStaff(db: Executor, actor: Actor, scope: TeamScope) {
  let query = db
    .selectFrom('users')
    .select(['id', 'display_name', 'username', 'role'])
    .where('active', '=', 1)
    .where('role', 'in', STAFF_ROLES)
    .orderBy('display_name');
  if (!scope.all) {
    const teamIds = idsIn(scope.teamIds);
    query = query.where((eb) =>
      eb.or([
        eb('id', '=', actor.id),
        eb('id', 'in', eb.selectFrom('team_supervisors').select('user_id').where('team_id', 'in', teamIds)),
        ...(mayInviteTeamManagers(actor)
          ? [
              eb(
                'id',
                'in',
                eb
                  .selectFrom('departments')
                  .innerJoin('teams', 'teams.department_id', 'departments.id')
                  .select('departments.manager_id')
                  .where('teams.id', 'in', teamIds)
                  .where('departments.manager_id', 'is not', null)
                  .$narrowType<{ manager_id: number }>(),
              ),
            ]
          : []),
      ]),
    );
  }
  return query.execute();
}

/** Recent calls with an agent in the actor's teams, to pick one for a session (or just the call `onlyId`). */
export async function callsToCalibrate(db: Executor, scope: TeamScope, limit = 100, onlyId?: number) {
  let query = db
    .selectFrom('calls')
    .innerJoin('users as agent', 'agent.id', 'calls.agent_id')
    .select(['calls.id', 'calls.external_id', 'calls.started_at', 'calls.category', 'agent.display_name as agent_name'])
    .orderBy('calls.started_at', 'desc')
    .limit(limit);
  if (!scope.all) query = query.where('calls.team_id', 'in', idsIn(scope.teamIds));
  if (onlyId !== undefined) query = query.where('calls.id', '=', onlyId);
  return query.execute();
}

/** The call a session is about, with its agent's name. */
export async function sessionCall(db: Executor, callId: number) {
  return db
    .selectFrom('calls')
    .innerJoin('users as agent', 'agent.id', 'calls.agent_id')
    .select(['calls.id', 'calls.external_id', 'calls.started_at', 'calls.category', 'agent.display_name as agent_name'])
    .where('calls.id', '=', callId)
    .executeTakeFirstOrThrow();
}

export async function displayNameOf(db: Executor, userId: number) {
  return db.selectFrom('users').select('display_name').where('id', '=', userId).executeTakeFirst();
}

export async function findCall(db: Executor, callId: number) {
  return db.selectFrom('calls').selectAll().where('id', '=', callId).executeTakeFirst();
}

export async function insertSession(db: Executor, session: Insertable<CalibrationSessionsTable>): Promise<number> {
  const row = await db.insertInto('calibration_sessions').values(session).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function addParticipants(db: Executor, sessionId: number, userIds: number[]): Promise<void> {
  await db
    .insertInto('calibration_participants')
    .values(userIds.map((userId) => ({ session_id: sessionId, user_id: userId })))
    .execute();
}

/** Opens an evaluator's calibration scorecard and links it to their place in the session. */
export async function insertParticipantEvaluation(
  db: Executor,
  sessionId: number,
  evaluation: Insertable<EvaluationsTable>,
): Promise<number> {
  const row = await db.insertInto('evaluations').values(evaluation).returning('id').executeTakeFirstOrThrow();
  await db
    .updateTable('calibration_participants')
    .set({ evaluation_id: row.id })
    .where('session_id', '=', sessionId)
    .where('user_id', '=', evaluation.evaluator_id)
    .execute();
  return row.id;
}

/** Closes an open session; false when it was closed meanwhile. */
export async function closeOpenSession(db: Executor, sessionId: number, now: string, actorId: number) {
  const updated = await db
    .updateTable('calibration_sessions')
    .set({ status: 'closed', closed_at: now, closed_by: actorId })
    .where('id', '=', sessionId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

/** Deletes the session's unsubmitted calibration drafts; returns their ids. */
export async function discardDrafts(db: Executor, sessionId: number): Promise<number[]> {
  const drafts = await db
    .selectFrom('calibration_participants as p')
    .innerJoin('evaluations as e', 'e.id', 'p.evaluation_id')
    .select('e.id')
    .where('p.session_id', '=', sessionId)
    .where('e.status', '=', 'draft')
    .execute();
  const ids = drafts.map((d) => d.id);
  if (ids.length) await db.deleteFrom('evaluations').where('id', 'in', ids).execute();
  return ids;
}
