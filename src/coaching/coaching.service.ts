import { z } from 'zod';
import { recordAudit } from '../audit/audit.queries';
import type { CoachingTask } from '../db/schema';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, Forbidden, NotFound } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { inTeamScope, teamScope, type Actor } from '../policy/scope';

/** A task born of a scorecard stays invisible to the CSR until that scorecard is released. */
async function scorecardReleased(deps: AppDeps, task: CoachingTask): Promise<boolean> {
  if (!task.evaluation_id) return true;
  const evaluation = await deps.db
    .selectFrom('evaluations')
    .select('status')
    .where('id', '=', task.evaluation_id)
    .executeTakeFirst();
  return evaluation?.status === 'released' || evaluation?.status === 'acknowledged';
}

/** A coaching task the actor may see: staff their teams', a CSR their own. Anything else is a 404. */
export async function visibleTaskOr404(deps: AppDeps, actor: Actor, id: number): Promise<CoachingTask> {
  const task = await deps.db.selectFrom('coaching_tasks').selectAll().where('id', '=', id).executeTakeFirst();
  if (!task) throw new NotFound('No such coaching task.');
  const visible =
    actor.role === 'csr'
      ? task.csr_id === actor.id && (await scorecardReleased(deps, task))
      : inTeamScope(await teamScope(deps.db, actor), task.team_id);
  if (!visible) throw new NotFound('No such coaching task.');
  return task;
}

const dateTime = z.iso.datetime({ offset: true, error: 'Use an ISO-8601 date and time, e.g. 2026-11-25T14:00:00Z.' });

export const coachingChangeSchema = z.discriminatedUnion(
  'action',
  [
    z.object({ action: z.literal('schedule'), scheduled_at: dateTime }),
    z.object({
      action: z.literal('complete'),
      notes: z.string({ error: 'Write what was covered.' }).trim().min(1, 'Write what was covered.').max(5000),
      actions: z.string().trim().max(2000).optional(),
    }),
    z.object({ action: z.literal('acknowledge') }),
  ],
  { error: 'action is schedule, complete or acknowledge.' },
);

/** open → scheduled → completed (notes) → acknowledged by the CSR. Returns the updated task. */
export async function changeCoachingTask(
  deps: AppDeps,
  actor: Actor,
  id: number,
  raw: unknown,
  ip?: string,
): Promise<CoachingTask> {
  const change = parseInput(coachingChangeSchema, raw);
  const task = await visibleTaskOr404(deps, actor, id);
  const now = isoNow(deps.clock);
  const isCsr = actor.role === 'csr';
  let values: Partial<CoachingTask>;
  if (change.action === 'acknowledge') {
    if (!isCsr) throw new Forbidden('Only the CSR acknowledges their coaching.');
    if (task.status !== 'completed')
      throw new Conflict('Only a completed coaching session can be acknowledged.', 'wrong_state');
    values = { status: 'acknowledged', acknowledged_at: now };
  } else {
    if (isCsr) throw new Forbidden('Your supervisor schedules and completes coaching.');
    if (task.status !== 'open' && task.status !== 'scheduled')
      throw new Conflict(`This task is ${task.status}.`, 'wrong_state');
    values =
      change.action === 'schedule'
        ? { status: 'scheduled', scheduled_at: new Date(change.scheduled_at).toISOString() }
        : { status: 'completed', completed_at: now, notes: change.notes, actions: change.actions ?? null };
  }
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('coaching_tasks')
      .set({ ...values, updated_at: now })
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, now, {
      actorId: actor.id,
      action: `coaching.${change.action}`,
      entityType: 'coaching_task',
      entityId: id,
      ip,
    });
  });
  return (await deps.db.selectFrom('coaching_tasks').selectAll().where('id', '=', id).executeTakeFirst())!;
}
