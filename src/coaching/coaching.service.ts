import { z } from 'zod';
import { recordChange } from '../audit';
import type { CoachingTask } from '../db/schema';
import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, Forbidden, NotFound, Validation } from '../lib/errors';
import { parseInput } from '../lib/validation';
import {
  COACHING_DONE,
  COUNTED_IN_FIGURES,
  CSR_VISIBLE,
  inTeamScope,
  isCoachingActive,
  isCsr,
  isSupervisor,
  teamScope,
  visibleCoachingTaskOr404,
  type Actor,
} from '../policy';
import { endOfLocalDateMs } from '../lib/zones';
import { getSettings } from '../settings';
import { findUserById } from '../users';
import { queueWebhookEvent } from '../webhooks';
import { averagesAroundCallTime, evaluationAgent, scoreAndFamily } from './coaching-page.queries';
import { childTasks, findCoachingTask, insertCoachingTask, updateCoachingTask } from './coaching.queries';
import { coachingTaskEventData } from './coaching.sync';

/** A coaching task the actor may see: staff their teams', a CSR their own. Anything else is a 404. */
export async function visibleTaskOr404(deps: AppDeps, actor: Actor, id: number): Promise<CoachingTask> {
  return visibleCoachingTaskOr404(deps.db, actor, id);
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

/**
 * A session time within reason: at most a day in the past (a session entered the day after it was held) and at
 * most a year ahead. 1900-01-01 or 2999-01-01 is a typing slip, refused with a message, not stored.
 */
function checkSessionTime(scheduledAt: string, now: Date): string {
  const at = new Date(scheduledAt);
  const earliest = now.getTime() - 86_400_000;
  const latest = new Date(now);
  latest.setUTCFullYear(latest.getUTCFullYear() + 1);
  if (at.getTime() < earliest)
    throw new Validation([
      { path: 'scheduled_at', message: 'The session time is more than a day in the past; pick a later time.' },
    ]);
  if (at.getTime() > latest.getTime())
    throw new Validation([
      { path: 'scheduled_at', message: 'The session time is more than a year ahead; pick an earlier time.' },
    ]);
  return at.toISOString();
}

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
  const byCsr = isCsr(actor);
  let values: Partial<CoachingTask>;
  if (change.action === 'acknowledge') {
    if (!byCsr) throw new Forbidden('Only the CSR acknowledges their coaching.');
    if (task.status !== 'completed')
      throw new Conflict('Only a completed coaching session can be acknowledged.', 'wrong_state');
    values = { status: 'acknowledged', acknowledged_at: now };
  } else {
    if (byCsr) throw new Forbidden('Your supervisor schedules and completes coaching.');
    if (!isCoachingActive(task.status)) throw new Conflict(`This task is ${task.status}.`, 'wrong_state');
    values =
      change.action === 'schedule'
        ? { status: 'scheduled', scheduled_at: checkSessionTime(change.scheduled_at, deps.clock.now()) }
        : { status: 'completed', completed_at: now, notes: change.notes, actions: change.actions ?? null };
  }
  await inTransaction(deps.db, async (trx) => {
    await updateCoachingTask(trx, id, { ...values, updated_at: now });
    if (change.action === 'complete') {
      // Queued in this transaction: a completion that rolls back tells nobody. Never the notes' text.
      await queueWebhookEvent(trx, now, 'coaching_task.completed', {
        ...coachingTaskEventData(task),
        completed_at: now,
      });
    }
    await recordChange(trx, now, { actorId: actor.id, ip }, `coaching.${change.action}`, ['coaching_task', id]);
  });
  const updated = await findCoachingTask(deps.db, id);
  if (!updated) throw new NotFound('No such coaching task.');
  return updated;
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

type ManualTaskInput = ReturnType<typeof manualTaskSchema.parse>;

/** The CSR (of the actor's teams), the due date (a real day, not past) and the scorecard (about this CSR). */
async function checkManualTask(deps: AppDeps, actor: Actor, input: ManualTaskInput) {
  const csr = await findUserById(deps.db, input.csr_id);
  if (!csr || !isCsr(csr) || !inTeamScope(await teamScope(deps.db, actor), csr.team_id)) {
    throw new Validation([{ path: 'csr_id', message: 'Choose a CSR of your teams.' }]);
  }
  const day = new Date(`${input.due_at}T12:00:00Z`);
  if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== input.due_at) {
    throw new Validation([{ path: 'due_at', message: 'That date does not exist.' }]);
  }
  // Due by the end of that day in the center's zone.
  const due = new Date(endOfLocalDateMs(input.due_at, (await getSettings(deps.db)).time_zone));
  if (due.getTime() < deps.clock.now().getTime())
    throw new Validation([{ path: 'due_at', message: 'The due date is in the past.' }]);
  if (input.evaluation_id) {
    const agentId = await evaluationAgent(deps.db, input.evaluation_id);
    if (agentId !== csr.id)
      throw new Validation([{ path: 'evaluation_id', message: 'That scorecard is not about this CSR.' }]);
  }
  return { csr, due };
}

/** A supervisor opens a coaching task by hand, with or without a scorecard behind it. */
export async function createManualTask(
  deps: AppDeps,
  actor: Actor,
  raw: unknown,
  ip?: string,
  parentTaskId?: number,
): Promise<number> {
  const input = parseInput(manualTaskSchema, raw);
  const { csr, due } = await checkManualTask(deps, actor, input);
  const now = isoNow(deps.clock);
  const focus = [{ item_id: null, section: 'Coaching', prompt: input.focus, critical: false }];
  return inTransaction(deps.db, async (trx) => {
    const task = {
      csr_id: csr.id,
      assignee_id: isSupervisor(actor) ? actor.id : null,
      team_id: csr.team_id,
      // A hand-made task never takes a scorecard's own slot (one task per failing scorecard).
      evaluation_id: null,
      parent_task_id: parentTaskId ?? null,
      focus: JSON.stringify(focus),
      due_at: due.toISOString(),
      created_by: actor.id,
      created_at: now,
      updated_at: now,
    };
    const id = await insertCoachingTask(trx, task);
    await queueWebhookEvent(trx, now, 'coaching_task.created', coachingTaskEventData({ id, ...task }));
    const action = parentTaskId ? 'coaching.recoach' : 'coaching.created';
    await recordChange(trx, now, { actorId: actor.id, ip }, action, ['coaching_task', id], {
      csr_id: csr.id,
      parent_task_id: parentTaskId ?? null,
    });
    return id;
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
  if (isCsr(actor)) throw new Forbidden('Your supervisor decides on re-coaching.');
  const task = await visibleTaskOr404(deps, actor, id);
  if (!COACHING_DONE.includes(task.status)) {
    throw new Conflict('Only a completed coaching task can be marked as needing re-coaching.', 'wrong_state');
  }
  if ((await childTasks(deps.db, id)).length > 0)
    throw new Conflict('Re-coaching was already opened for this task.', 'duplicate');
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
  /** The CSR's average on the rubric over calls made before the session was completed, and how many. */
  before: number | null;
  before_n: number;
  /** The same over calls made since. */
  after: number | null;
  after_n: number;
  change: number | null;
}

const roundedAverage = (value: number | null) => (value === null ? null : Math.round(Number(value) * 1e6) / 1e6);

/**
 * Did the coaching stick (DOMAIN.md, Coaching): the CSR's average on the same rubric (any version) over calls
 * made after the session was completed, minus the average over calls made before it: by call time, so a
 * scorecard submitted after the session for a call made before it counts as before.
 */
export async function followUp(deps: AppDeps, task: CoachingTask, forCsr = false): Promise<FollowUp | null> {
  if (!task.completed_at || !task.evaluation_id) return null;
  const origin = await scoreAndFamily(deps.db, task.evaluation_id);
  if (!origin) return null;
  const row = await averagesAroundCallTime(deps.db, {
    csrId: task.csr_id,
    familyId: origin.family_id,
    at: task.completed_at,
    // What the CSR sees never reflects a scorecard that is not released to them yet.
    statuses: forCsr ? CSR_VISIBLE : COUNTED_IN_FIGURES,
  });
  const before = roundedAverage(row.before);
  const after = roundedAverage(row.after);
  const counts = { before_n: Number(row.before_n), after_n: Number(row.after_n) };
  if (before === null || after === null) return { kind: 'no_evaluation', before, after, change: null, ...counts };
  const change = Math.round((after - before) * 1e6) / 1e6;
  return { kind: change > 0 ? 'improved' : 'not_yet', before, after, change, ...counts };
}
