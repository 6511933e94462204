import type { DB } from '../db/database';
import type { Evaluation } from '../db/schema';
import type { FullRubric } from '../rubrics';
import type { ScoreResult } from '../scoring';
import { plusLocalDays } from '../lib/zones';
import { getSettings } from '../settings';
import { insertCoachingTask, taskOfEvaluation, teamSupervisorIds, updateCoachingTask } from './coaching.queries';
import { isCoachingActive } from '../policy';
import { queueWebhookEvent } from '../webhooks';

export interface FocusArea {
  item_id: number | null;
  section: string;
  prompt: string;
  critical: boolean;
}

/** The failed items (and sections below their own threshold) a coaching session should cover. */
export function focusAreas(rubric: FullRubric, result: ScoreResult): FocusArea[] {
  const areas: FocusArea[] = [];
  for (const section of rubric.sections) {
    const scored = result.sections.find((s) => s.id === section.id);
    if (scored?.below_threshold) {
      areas.push({
        item_id: null,
        section: section.title,
        prompt: `Section below its ${section.threshold}% threshold`,
        critical: false,
      });
    }
    for (const item of section.items) {
      if (!result.failed_items.includes(item.id)) continue;
      areas.push({
        item_id: item.id,
        section: section.title,
        prompt: item.prompt,
        critical: result.critical_items.includes(item.id),
      });
    }
  }
  return areas;
}

/**
 * When a task opened now is due (the coaching due time setting, in local days of the center's zone: the same
 * wall-clock time N days later, across clock changes); read only when a task is opened.
 */
async function dueAtFrom(trx: DB, now: string): Promise<string> {
  const { coaching_due_days: dueDays, time_zone: timeZone } = await getSettings(trx);
  return new Date(plusLocalDays(Date.parse(now), dueDays, timeZone)).toISOString();
}

async function assigneeFor(db: DB, evaluation: Evaluation): Promise<number | null> {
  if (!evaluation.team_id) return null;
  const supervisors = await teamSupervisorIds(db, evaluation.team_id);
  if (supervisors.some((id) => id === evaluation.evaluator_id)) return evaluation.evaluator_id;
  return supervisors[0] ?? null;
}

/**
 * Keeps one coaching task per evaluation in step with its score, inside the caller's transaction: a fail
 * opens (or reopens) it with the failed items as focus; a pass cancels an unfinished one with a note.
 * `newEvaluation` says the evaluation was inserted in this same transaction, so no task can point at it yet
 * (evaluation ids are never reused). Returns the id of the task that is open for this evaluation, if any.
 */
export async function syncCoachingTask(
  trx: DB,
  evaluation: Evaluation,
  rubric: FullRubric,
  result: ScoreResult,
  context: { now: string; actorId: number; newEvaluation?: boolean },
): Promise<number | null> {
  const existing = context.newEvaluation ? undefined : await taskOfEvaluation(trx, evaluation.id);
  if (result.passed === false) {
    const focus = JSON.stringify(focusAreas(rubric, result));
    if (!existing) return openTask(trx, evaluation, focus, context);
    if (existing.status === 'cancelled') {
      await updateCoachingTask(trx, existing.id, {
        status: 'open',
        focus,
        due_at: await dueAtFrom(trx, context.now),
        cancelled_at: null,
        cancel_note: null,
        updated_at: context.now,
      });
    } else if (isCoachingActive(existing.status)) {
      await updateCoachingTask(trx, existing.id, { focus, updated_at: context.now });
    }
    return existing.id;
  }
  if (existing && isCoachingActive(existing.status)) {
    await updateCoachingTask(trx, existing.id, {
      status: 'cancelled',
      cancelled_at: context.now,
      cancel_note: 'Cancelled: the scorecard was rescored to a pass.',
      updated_at: context.now,
    });
  }
  return null;
}

/** The task a failing scorecard opens for its CSR, assigned to their supervisor. */
async function openTask(
  trx: DB,
  evaluation: Evaluation,
  focus: string,
  context: { now: string; actorId: number },
): Promise<number> {
  const task = {
    csr_id: evaluation.agent_id,
    assignee_id: await assigneeFor(trx, evaluation),
    team_id: evaluation.team_id,
    evaluation_id: evaluation.id,
    focus,
    due_at: await dueAtFrom(trx, context.now),
    created_by: context.actorId,
    created_at: context.now,
    updated_at: context.now,
  };
  const id = await insertCoachingTask(trx, task);
  await queueWebhookEvent(trx, context.now, 'coaching_task.created', coachingTaskEventData({ id, ...task }));
  return id;
}

/** What a webhook hears of a coaching task: ids and times, never the focus text or notes. */
export function coachingTaskEventData(task: {
  id: number;
  csr_id: number;
  assignee_id: number | null;
  team_id: number | null;
  evaluation_id: number | null;
  due_at: string;
}) {
  return {
    coaching_task_id: task.id,
    agent_id: task.csr_id,
    assignee_id: task.assignee_id,
    team_id: task.team_id,
    evaluation_id: task.evaluation_id,
    due_at: task.due_at,
  };
}
