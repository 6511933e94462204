import type { DB } from '../db/database';
import type { Role } from '../db/schema';
import { NotFound } from '../lib/errors';
import { callById, hasReleasedEvaluationOf } from './calls.queries';
import { inTeamScope, teamScope, type Actor } from './scope';

/**
 * A call the actor may open: staff within their teams. A CSR only a call with one of their own released
 * evaluations; any other call is a 404, so nothing reveals that their calls are being scored.
 */
export async function visibleCallOr404(db: DB, actor: Actor, callId: number) {
  const call = await callById(db, callId);
  if (!call) throw new NotFound('No such call.');
  if (actor.role === 'csr') {
    if (!(await hasReleasedEvaluationOf(db, callId, actor.id))) throw new NotFound('No such call.');
    return call;
  }
  if (!inTeamScope(await teamScope(db, actor), call.team_id)) throw new NotFound('No such call.');
  return call;
}

/** Whether the actor has the call pages at all: a CSR has none (silent monitoring), any id is not found. */
export function mayOpenCallPages(actor: Actor): boolean {
  return actor.role !== 'csr';
}

/** Whether a person can be the agent of a call record: only CSRs take calls. */
export function mayTakeCalls(person: { role: Role }): boolean {
  return person.role === 'csr';
}

/**
 * A call whose automatic analysis the actor may see: staff within their teams. A CSR never learns that their
 * calls are analysed, so for them every call's analysis is not found (silent monitoring).
 */
export async function analysedCallOr404(db: DB, actor: Actor, callId: number) {
  if (!maySeeAnalysis(actor)) throw new NotFound('No such call.');
  return visibleCallOr404(db, actor, callId);
}

/** Whether the actor sees analysis figures at all: staff do; a CSR sees the waveform, never the figures. */
export function maySeeAnalysis(actor: Actor): boolean {
  return actor.role !== 'csr';
}

/** Who starts the analysis of every call without one, and re-runs failed ones, from the admin page. */
export function mayRunBackfill(actor: Actor): boolean {
  return actor.role === 'admin';
}

/** Whether the actor may give a call a transcript: staff who score calls; a CSR has no call pages (404). */
export function mayReplaceTranscript(actor: Actor): boolean {
  return actor.role === 'admin' || actor.role === 'manager' || actor.role === 'supervisor';
}

/**
 * A call whose automatic answers (rule suggestions) the actor may see: supervisors, managers and admins within
 * their teams. A CSR never learns that rules answer for their calls, so every call is not found for them.
 */
export async function suggestionsCallOr404(db: DB, actor: Actor, callId: number) {
  if (!maySeeSuggestions(actor)) throw new NotFound('No such call.');
  return visibleCallOr404(db, actor, callId);
}

/** Whether the actor sees automatic answers at all: those who score calls do; a CSR never does. */
export function maySeeSuggestions(actor: Actor): boolean {
  return actor.role === 'admin' || actor.role === 'manager' || actor.role === 'supervisor';
}
