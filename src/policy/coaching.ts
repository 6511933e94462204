import type { DB } from '../db/database';
import type { CoachingStatus, CoachingTask } from '../db/schema';
import { NotFound } from '../lib/errors';
import { coachingTaskById, evaluationStatusOf } from './coaching.queries';
import { inTeamScope, isCsr, teamScope, type Actor } from './scope';
import { COACHING_ACTIVE, CSR_VISIBLE } from './statuses';

// Who may see and change a coaching task. A CSR sees their own, and one born of a scorecard only once that
// scorecard is released to them (silent monitoring); staff see their teams'.

export function isCoachingActive(status: CoachingStatus): boolean {
  return COACHING_ACTIVE.includes(status);
}

export function isCoachingOverdue(task: Pick<CoachingTask, 'status' | 'due_at'>, now: string): boolean {
  return isCoachingActive(task.status) && task.due_at < now;
}

/** A task born of a scorecard stays invisible to the CSR until that scorecard is released. */
async function scorecardReleased(db: DB, task: CoachingTask): Promise<boolean> {
  if (!task.evaluation_id) return true;
  const status = await evaluationStatusOf(db, task.evaluation_id);
  return status !== undefined && CSR_VISIBLE.includes(status);
}

export async function canSeeCoachingTask(db: DB, actor: Actor, task: CoachingTask): Promise<boolean> {
  if (isCsr(actor)) return task.csr_id === actor.id && (await scorecardReleased(db, task));
  return inTeamScope(await teamScope(db, actor), task.team_id);
}

/** A coaching task the actor may see: staff their teams', a CSR their own. Anything else is a 404. */
export async function visibleCoachingTaskOr404(db: DB, actor: Actor, id: number): Promise<CoachingTask> {
  const task = await coachingTaskById(db, id);
  if (!task || !(await canSeeCoachingTask(db, actor, task))) throw new NotFound('No such coaching task.');
  return task;
}

/** The coaching list a person may read: a CSR only their own tasks whose scorecard they can already see. */
export async function coachingListScope(db: DB, actor: Actor) {
  if (isCsr(actor)) return { teamIds: 'all' as const, csrId: actor.id, releasedOnly: true };
  const scope = await teamScope(db, actor);
  return { teamIds: scope.all ? ('all' as const) : scope.teamIds, csrId: undefined, releasedOnly: false };
}
