import { recordChange } from '../audit';
import type { AppDeps } from '../deps';
import { inTransaction } from '../db/transaction';
import { isoNow } from '../lib/clock';
import { Conflict, Forbidden, NotFound } from '../lib/errors';
import { inDepartments, managedDepartments, mayConfirmTraining, type Actor } from '../policy';
import { findAssignment, updateAssignment } from './training.queries';

type Step = 'start' | 'complete' | 'confirm';
type Assignment = NonNullable<Awaited<ReturnType<typeof findAssignment>>>;

/** What a step changes, once the actor may take it and the assignment is in the state it needs. */
function stepValues(actor: Actor, assignment: Assignment, step: Step, now: string) {
  if (step === 'confirm') {
    if (!mayConfirmTraining(actor)) throw new Forbidden('A manager confirms completed training.');
    if (assignment.status !== 'completed')
      throw new Conflict('Only completed training can be confirmed.', 'wrong_state');
    if (assignment.confirmed_at) throw new Conflict('Already confirmed.', 'wrong_state');
    return { confirmed_by: actor.id, confirmed_at: now };
  }
  if (assignment.csr_id !== actor.id) throw new Forbidden('Only the CSR marks their own training.');
  if (assignment.status === 'completed') throw new Conflict('This training is already completed.', 'wrong_state');
  if (step === 'start' && assignment.status !== 'assigned')
    throw new Conflict('This training is already started.', 'wrong_state');
  return step === 'start' ? { status: 'in_progress' as const } : { status: 'completed' as const, completed_at: now };
}

/** The CSR moves their own training on (started, completed); a manager of the department confirms completion. */
export async function progressAssignment(
  deps: AppDeps,
  actor: Actor,
  id: number,
  step: Step,
  ip?: string,
): Promise<void> {
  const assignment = await findAssignment(deps.db, id);
  const visible =
    assignment &&
    (assignment.csr_id === actor.id ||
      inDepartments(await managedDepartments(deps.db, actor), assignment.department_id));
  if (!assignment || !visible) throw new NotFound('No such training.');
  const now = isoNow(deps.clock);
  const values = stepValues(actor, assignment, step, now);
  await inTransaction(deps.db, async (trx) => {
    await updateAssignment(trx, id, values);
    await recordChange(trx, now, { actorId: actor.id, ip }, `training.${step}`, ['training_assignment', id]);
  });
}
