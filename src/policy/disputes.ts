import type { Executor } from '../db/transaction';
import type { Dispute } from '../db/schema';
import { Conflict, NotFound } from '../lib/errors';
import { disputeById, openDisputeIdOf } from './disputes.queries';
import { inTeamScope, teamScope, type Actor } from './scope';

// Who may see a dispute and who decides it. Opening one is the evaluated CSR's (isEvaluatedCsr, ./evaluations).

/** A dispute the actor may see: the CSR their own; staff their teams' or one assigned to them. Else 404. */
export async function visibleDisputeOr404(db: Executor, actor: Actor, id: number): Promise<Dispute> {
  const dispute = await disputeById(db, id);
  const visible =
    dispute &&
    (actor.role === 'csr'
      ? dispute.csr_id === actor.id
      : dispute.assignee_id === actor.id || inTeamScope(await teamScope(db, actor), dispute.team_id));
  if (!visible) throw new NotFound('No such dispute.');
  return dispute;
}

/**
 * The assignee decides; an admin, or the manager over the team, may step in. Never the person who wrote the
 * scorecard, whatever their role: a dispute is a second opinion (DOMAIN.md, evaluation lifecycle).
 */
export async function canResolveDispute(db: Executor, actor: Actor, dispute: Dispute): Promise<boolean> {
  if (actor.role === 'csr' || actor.id === dispute.evaluator_id) return false;
  if (actor.id === dispute.assignee_id || actor.role === 'admin') return true;
  return actor.role === 'manager' && inTeamScope(await teamScope(db, actor), dispute.team_id);
}

/** Who could review a dispute of a team's scorecard (active people only, lowest id first). */
export interface ReviewerCandidates {
  supervisors: number[];
  manager: number | null;
  admins: number[];
}

/**
 * Who reviews a dispute: never the evaluator. With the rubric's "supervisor" setting, another supervisor of the
 * CSR's team, else the department's manager; with "manager", the manager, else another supervisor. When
 * neither fits (a lone supervisor who is also the manager, or no manager), an admin who did not write it: the
 * admin sees every team and may decide any dispute. Null only when nobody but the evaluator could: the dispute
 * then waits unassigned, and a manager or admin added later may decide it.
 */
export function disputeReviewer(
  candidates: ReviewerCandidates,
  evaluatorId: number,
  preference: 'supervisor' | 'manager',
): number | null {
  const supervisor = candidates.supervisors.find((id) => id !== evaluatorId) ?? null;
  const manager = candidates.manager !== evaluatorId ? candidates.manager : null;
  const admin = candidates.admins.find((id) => id !== evaluatorId) ?? null;
  const order = preference === 'manager' ? [manager, supervisor, admin] : [supervisor, manager, admin];
  return order.find((id) => id !== null) ?? null;
}

/** Reviewers see a dispute's own page; the CSR who opened it follows it on their scorecard instead. */
export function reviewsDisputes(actor: Actor): boolean {
  return actor.role !== 'csr';
}

/**
 * A scorecard in dispute changes only through the dispute's decision, by its reviewer: a plain rescore
 * meanwhile (by the evaluator, say) would decide the dispute around the reviewer. 409 while one is open.
 */
export async function refuseRescoreInDispute(db: Executor, evaluationId: number): Promise<void> {
  const disputeId = await openDisputeIdOf(db, evaluationId);
  if (disputeId !== undefined) {
    throw new Conflict(
      `This scorecard is in dispute: its reviewer rescores or upholds it on dispute ${disputeId}.`,
      'in_dispute',
    );
  }
}
