import type { Executor } from '../db/transaction';
import type { Dispute } from '../db/schema';
import { NotFound } from '../lib/errors';
import { disputeById } from './disputes.queries';
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

/** The assignee decides; an admin, or the manager over the team, may step in. */
export async function canResolveDispute(db: Executor, actor: Actor, dispute: Dispute): Promise<boolean> {
  if (actor.role === 'csr') return false;
  if (actor.id === dispute.assignee_id || actor.role === 'admin') return true;
  return actor.role === 'manager' && inTeamScope(await teamScope(db, actor), dispute.team_id);
}

/** Reviewers see a dispute's own page; the CSR who opened it follows it on their scorecard instead. */
export function reviewsDisputes(actor: Actor): boolean {
  return actor.role !== 'csr';
}
