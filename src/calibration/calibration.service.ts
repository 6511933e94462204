import { recordAudit } from '../audit';
import type { CalibrationSession } from '../db/schema';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, Forbidden, Validation } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { teamScope, visibleCallOr404, type Actor } from '../policy';
import { findRubric } from '../rubrics';
import { canManageSession, participantOf, visibleSessionOr404 } from '../policy';
import { findSession, invitableStaff } from './calibration.queries';
import { newSessionSchema } from './calibration.schemas';

/** Opens a session on a call and a published rubric with two or more invited evaluators and an optional expert. */
export async function openSession(deps: AppDeps, actor: Actor, raw: unknown, ip?: string): Promise<CalibrationSession> {
  const input = parseInput(newSessionSchema, raw);
  if (actor.role === 'csr') throw new Forbidden();
  const call = await visibleCallOr404(deps.db, actor, input.call_id);
  if (!call.agent_id) throw new Validation([{ path: 'call_id', message: 'An abandoned call has no agent to score.' }]);
  const rubric = await findRubric(deps.db, input.rubric_id);
  if (!rubric || rubric.status !== 'published') {
    throw new Validation([{ path: 'rubric_id', message: 'Choose a published rubric.' }]);
  }
  const staff = new Set((await invitableStaff(deps.db, actor, await teamScope(deps.db, actor))).map((s) => s.id));
  const problems = input.evaluator_ids
    .map((id, index) => ({ id, index }))
    .filter(({ id }) => !staff.has(id))
    .map(({ index }) => ({ path: `evaluator_ids.${index}`, message: 'Invite staff of your own teams only.' }));
  if (input.expert_id !== undefined && !staff.has(input.expert_id)) {
    problems.push({ path: 'expert_id', message: 'Choose the expert among staff of your own teams.' });
  }
  if (problems.length) throw new Validation(problems);
  const participants = [...new Set([...input.evaluator_ids, ...(input.expert_id ? [input.expert_id] : [])])];
  const now = isoNow(deps.clock);
  const id = await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('calibration_sessions')
      .values({
        call_id: call.id,
        rubric_id: rubric.id,
        team_id: call.team_id,
        title: input.title ?? `Call ${call.external_id}`,
        expert_id: input.expert_id ?? null,
        blind_until: input.blind_until,
        created_by: actor.id,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('calibration_participants')
      .values(participants.map((userId) => ({ session_id: row.id, user_id: userId })))
      .execute();
    await recordAudit(trx, now, {
      actorId: actor.id,
      action: 'calibration.opened',
      entityType: 'calibration_session',
      entityId: row.id,
      details: { call_id: call.id, rubric_id: rubric.id, evaluators: participants, expert_id: input.expert_id ?? null },
      ip,
    });
    return row.id;
  });
  return (await findSession(deps.db, id))!;
}

/** The invited evaluator's own calibration scorecard for the session, made on first use. */
export async function startCalibrationScoring(
  deps: AppDeps,
  actor: Actor,
  sessionId: number,
  ip?: string,
): Promise<number> {
  const session = await visibleSessionOr404(deps.db, actor, sessionId);
  const own = await participantOf(deps.db, session.id, actor.id);
  if (!own) throw new Forbidden('You are not one of the evaluators of this session.');
  if (own.evaluation_id) return own.evaluation_id;
  if (session.status !== 'open') throw new Conflict('This session is closed.', 'session_closed');
  const call = await deps.db
    .selectFrom('calls')
    .select(['agent_id', 'team_id'])
    .where('id', '=', session.call_id)
    .executeTakeFirstOrThrow();
  const now = isoNow(deps.clock);
  return deps.db.transaction().execute(async (trx) => {
    const again = await participantOf(trx, session.id, actor.id);
    if (again?.evaluation_id) return again.evaluation_id;
    const row = await trx
      .insertInto('evaluations')
      .values({
        call_id: session.call_id,
        rubric_id: session.rubric_id,
        agent_id: call.agent_id!,
        team_id: call.team_id,
        evaluator_id: actor.id,
        kind: 'calibration',
        created_at: now,
        updated_at: now,
        updated_by: actor.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('calibration_participants')
      .set({ evaluation_id: row.id })
      .where('session_id', '=', session.id)
      .where('user_id', '=', actor.id)
      .execute();
    await recordAudit(trx, now, {
      actorId: actor.id,
      action: 'evaluation.created',
      entityType: 'evaluation',
      entityId: row.id,
      details: { call_id: session.call_id, rubric_id: session.rubric_id, calibration_session_id: session.id },
      ip,
    });
    return row.id;
  });
}

/**
 * Closes a session: every answer becomes visible to its participants. Unsubmitted drafts are discarded, so
 * nobody can finish scoring after seeing the others.
 */
export async function closeSession(
  deps: AppDeps,
  actor: Actor,
  sessionId: number,
  ip?: string,
): Promise<CalibrationSession> {
  const session = await visibleSessionOr404(deps.db, actor, sessionId);
  if (!(await canManageSession(deps.db, actor, session))) {
    throw new Forbidden('Only the organiser, a manager of the team or an admin closes a session.');
  }
  if (session.status !== 'open') throw new Conflict('This session is already closed.', 'session_closed');
  const now = isoNow(deps.clock);
  await deps.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('calibration_sessions')
      .set({ status: 'closed', closed_at: now, closed_by: actor.id })
      .where('id', '=', session.id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw new Conflict('This session is already closed.', 'session_closed');
    const drafts = await trx
      .selectFrom('calibration_participants as p')
      .innerJoin('evaluations as e', 'e.id', 'p.evaluation_id')
      .select('e.id')
      .where('p.session_id', '=', session.id)
      .where('e.status', '=', 'draft')
      .execute();
    if (drafts.length) {
      await trx
        .deleteFrom('evaluations')
        .where(
          'id',
          'in',
          drafts.map((d) => d.id),
        )
        .execute();
    }
    await recordAudit(trx, now, {
      actorId: actor.id,
      action: 'calibration.closed',
      entityType: 'calibration_session',
      entityId: session.id,
      details: { discarded_drafts: drafts.map((d) => d.id) },
      ip,
    });
  });
  return (await findSession(deps.db, session.id))!;
}
