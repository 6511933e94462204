import { z } from 'zod';
import { recordAudit } from '../audit';
import type { CoachingTask } from '../db/schema';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, Forbidden, NotFound, Validation } from '../lib/errors';
import { parseInput } from '../lib/validation';
import { inTeamScope, teamScope, type Actor } from '../policy';

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

const manualTaskSchema = z.object({
  csr_id: z.coerce.number({ error: 'Choose a CSR.' }).int().positive('Choose a CSR.'),
  focus: z.string({ error: 'Say what to work on.' }).trim().min(3, 'Say what to work on.').max(2000),
  due_at: z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-12-01.'),
  evaluation_id: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().positive().optional()),
});

/** A supervisor opens a coaching task by hand, with or without a scorecard behind it. */
export async function createManualTask(
  deps: AppDeps,
  actor: Actor,
  raw: unknown,
  ip?: string,
  parentTaskId?: number,
): Promise<number> {
  const input = parseInput(manualTaskSchema, raw);
  const csr = await deps.db.selectFrom('users').selectAll().where('id', '=', input.csr_id).executeTakeFirst();
  if (!csr || csr.role !== 'csr' || !inTeamScope(await teamScope(deps.db, actor), csr.team_id)) {
    throw new Validation([{ path: 'csr_id', message: 'Choose a CSR of your teams.' }]);
  }
  const due = new Date(`${input.due_at}T23:59:59.999Z`);
  if (Number.isNaN(due.getTime()) || due.toISOString().slice(0, 10) !== input.due_at) {
    throw new Validation([{ path: 'due_at', message: 'That date does not exist.' }]);
  }
  if (due.getTime() < deps.clock.now().getTime())
    throw new Validation([{ path: 'due_at', message: 'The due date is in the past.' }]);
  if (input.evaluation_id) {
    const evaluation = await deps.db
      .selectFrom('evaluations')
      .select(['agent_id'])
      .where('id', '=', input.evaluation_id)
      .executeTakeFirst();
    if (!evaluation || evaluation.agent_id !== csr.id)
      throw new Validation([{ path: 'evaluation_id', message: 'That scorecard is not about this CSR.' }]);
  }
  const now = isoNow(deps.clock);
  return deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('coaching_tasks')
      .values({
        csr_id: csr.id,
        assignee_id: actor.role === 'supervisor' ? actor.id : null,
        team_id: csr.team_id,
        // A hand-made task never takes a scorecard's own slot (one task per failing scorecard).
        evaluation_id: null,
        parent_task_id: parentTaskId ?? null,
        focus: JSON.stringify([
          {
            item_id: null,
            section: 'Coaching',
            prompt: input.focus,
            critical: false,
          },
        ]),
        due_at: due.toISOString(),
        created_by: actor.id,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, now, {
      actorId: actor.id,
      action: parentTaskId ? 'coaching.recoach' : 'coaching.created',
      entityType: 'coaching_task',
      entityId: row.id,
      details: { csr_id: csr.id, parent_task_id: parentTaskId ?? null },
      ip,
    });
    return row.id;
  });
}

/** A completed task that did not stick: open a new one linked to it, with the same focus. */
export async function recoach(
  deps: AppDeps,
  actor: Actor,
  id: number,
  raw: { due_at?: unknown },
  ip?: string,
): Promise<number> {
  if (actor.role === 'csr') throw new Forbidden('Your supervisor decides on re-coaching.');
  const task = await visibleTaskOr404(deps, actor, id);
  if (task.status !== 'completed' && task.status !== 'acknowledged') {
    throw new Conflict('Only a completed coaching task can be marked as needing re-coaching.', 'wrong_state');
  }
  const existing = await deps.db
    .selectFrom('coaching_tasks')
    .select('id')
    .where('parent_task_id', '=', id)
    .executeTakeFirst();
  if (existing) throw new Conflict('Re-coaching was already opened for this task.', 'duplicate');
  const focus = (JSON.parse(task.focus) as Array<{ prompt: string }>).map((f) => f.prompt).join('; ');
  return createManualTask(
    deps,
    actor,
    { csr_id: task.csr_id, focus: `Re-coaching: ${focus}`.slice(0, 2000), due_at: raw.due_at },
    ip,
    id,
  );
}

export interface FollowUp {
  kind: 'improved' | 'not_yet' | 'no_evaluation';
  before: number | null;
  after: number | null;
  change: number | null;
  evaluation_id: number | null;
}

/** The CSR's next scorecard on the same rubric family after the session, and how the score moved. */
export async function followUp(deps: AppDeps, task: CoachingTask, forCsr = false): Promise<FollowUp | null> {
  if (!task.completed_at || !task.evaluation_id) return null;
  const origin = await deps.db
    .selectFrom('evaluations as e')
    .innerJoin('rubrics as r', 'r.id', 'e.rubric_id')
    .select(['e.score', 'r.family_id'])
    .where('e.id', '=', task.evaluation_id)
    .executeTakeFirst();
  if (!origin) return null;
  const next = await deps.db
    .selectFrom('evaluations as e')
    .innerJoin('rubrics as r', 'r.id', 'e.rubric_id')
    .select(['e.id', 'e.score'])
    .where('e.agent_id', '=', task.csr_id)
    .where('r.family_id', '=', origin.family_id)
    .where('e.kind', '=', 'standard')
    // What the CSR sees never reflects a scorecard that is not released to them yet.
    .where('e.status', 'in', forCsr ? ['released', 'acknowledged'] : ['submitted', 'released', 'acknowledged'])
    .where('e.submitted_at', '>', task.completed_at)
    .orderBy('e.submitted_at')
    .executeTakeFirst();
  if (!next || next.score === null || origin.score === null) {
    return { kind: 'no_evaluation', before: origin.score, after: null, change: null, evaluation_id: null };
  }
  const change = Math.round((next.score - origin.score) * 1e6) / 1e6;
  return {
    kind: change > 0 ? 'improved' : 'not_yet',
    before: origin.score,
    after: next.score,
    change,
    evaluation_id: next.id,
  };
}
