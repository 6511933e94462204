import type { z } from 'zod';
import { recordChange } from '../audit';
import type { CalibrationSession } from '../db/schema';
import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, Forbidden, NotFound, Validation, type FieldProblem } from '../lib/errors';
import { parseInput } from '../lib/validation';
import {
  canManageSession,
  mayCalibrate,
  participantOf,
  teamScope,
  visibleCallOr404,
  visibleSessionOr404,
  type Actor,
} from '../policy';
import { findRubric } from '../rubrics';
import {
  addParticipants,
  closeOpenSession,
  discardDrafts,
  findCall,
  findSession,
  insertParticipantEvaluation,
  insertSession,
  invitableStaff,
} from './calibration.queries';
import { newSessionSchema } from './calibration.schemas';

type NewSession = z.output<typeof newSessionSchema>;

async function reloaded(deps: AppDeps, id: number): Promise<CalibrationSession> {
  const session = await findSession(deps.db, id);
  if (!session) throw new NotFound('No such calibration session.');
  return session;
}

/** Evaluators and the expert must be staff the actor may invite (else 422, beside each one). */
async function invitedOr422(deps: AppDeps, actor: Actor, input: NewSession): Promise<void> {
  const staff = new Set((await invitableStaff(deps.db, actor, await teamScope(deps.db, actor))).map((s) => s.id));
  const problems: FieldProblem[] = input.evaluator_ids
    .map((id, index) => ({ id, index }))
    .filter(({ id }) => !staff.has(id))
    .map(({ index }) => ({ path: `evaluator_ids.${index}`, message: 'Invite staff of your own teams only.' }));
  if (input.expert_id !== undefined && !staff.has(input.expert_id)) {
    problems.push({ path: 'expert_id', message: 'Choose the expert among staff of your own teams.' });
  }
  if (problems.length) throw new Validation(problems);
}

/** Opens a session on a call and a published rubric with two or more invited evaluators and an optional expert. */
export async function openSession(deps: AppDeps, actor: Actor, raw: unknown, ip?: string): Promise<CalibrationSession> {
  const input = parseInput(newSessionSchema, raw);
  if (!mayCalibrate(actor)) throw new Forbidden();
  const call = await visibleCallOr404(deps.db, actor, input.call_id);
  if (!call.agent_id) throw new Validation([{ path: 'call_id', message: 'An abandoned call has no agent to score.' }]);
  const rubric = await findRubric(deps.db, input.rubric_id);
  if (!rubric || rubric.status !== 'published') {
    throw new Validation([{ path: 'rubric_id', message: 'Choose a published rubric.' }]);
  }
  await invitedOr422(deps, actor, input);
  const participants = [...new Set([...input.evaluator_ids, ...(input.expert_id ? [input.expert_id] : [])])];
  const now = isoNow(deps.clock);
  const id = await inTransaction(deps.db, async (trx) => {
    const sessionId = await insertSession(trx, {
      call_id: call.id,
      rubric_id: rubric.id,
      team_id: call.team_id,
      title: input.title ?? `Call ${call.external_id}`,
      expert_id: input.expert_id ?? null,
      blind_until: input.blind_until,
      created_by: actor.id,
      created_at: now,
    });
    await addParticipants(trx, sessionId, participants);
    await recordChange(trx, now, { actorId: actor.id, ip }, 'calibration.opened', ['calibration_session', sessionId], {
      call_id: call.id,
      rubric_id: rubric.id,
      evaluators: participants,
      expert_id: input.expert_id ?? null,
    });
    return sessionId;
  });
  return reloaded(deps, id);
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
  const call = await findCall(deps.db, session.call_id);
  // A session is only opened on a call with an agent; calls are not reassigned.
  if (!call || call.agent_id === null) throw new Error(`the call of calibration session ${session.id} has no agent`);
  const agentId = call.agent_id;
  const now = isoNow(deps.clock);
  return inTransaction(deps.db, async (trx) => {
    const again = await participantOf(trx, session.id, actor.id);
    if (again?.evaluation_id) return again.evaluation_id;
    const evaluationId = await insertParticipantEvaluation(trx, session.id, {
      call_id: session.call_id,
      rubric_id: session.rubric_id,
      agent_id: agentId,
      team_id: call.team_id,
      evaluator_id: actor.id,
      kind: 'calibration',
      created_at: now,
      updated_at: now,
      updated_by: actor.id,
    });
    await recordChange(trx, now, { actorId: actor.id, ip }, 'evaluation.created', ['evaluation', evaluationId], {
      call_id: session.call_id,
      rubric_id: session.rubric_id,
      calibration_session_id: session.id,
    });
    return evaluationId;
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
  await inTransaction(deps.db, async (trx) => {
    if (!(await closeOpenSession(trx, session.id, now, actor.id)))
      throw new Conflict('This session is already closed.', 'session_closed');
    const discarded = await discardDrafts(trx, session.id);
    await recordChange(trx, now, { actorId: actor.id, ip }, 'calibration.closed', ['calibration_session', session.id], {
      discarded_drafts: discarded,
    });
  });
  return reloaded(deps, session.id);
}
