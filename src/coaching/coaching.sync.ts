import type { DB } from '../db/database';
import type { Evaluation } from '../db/schema';
import type { FullRubric } from '../rubrics';
import type { ScoreResult } from '../scoring';
import { getSettings } from '../settings';

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

/** When a task opened now is due (the coaching due time setting); read only when a task is opened. */
async function dueAtFrom(trx: DB, now: string): Promise<string> {
  const { coaching_due_days: dueDays } = await getSettings(trx);
  return new Date(Date.parse(now) + dueDays * 86_400_000).toISOString();
}

async function assigneeFor(db: DB, evaluation: Evaluation): Promise<number | null> {
  if (!evaluation.team_id) return null;
  const supervisors = await db
    .selectFrom('team_supervisors')
    .select('user_id')
    .where('team_id', '=', evaluation.team_id)
    .orderBy('user_id')
    .execute();
  if (supervisors.some((s) => s.user_id === evaluation.evaluator_id)) return evaluation.evaluator_id;
  return supervisors[0]?.user_id ?? null;
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
  const existing = context.newEvaluation
    ? undefined
    : await trx.selectFrom('coaching_tasks').selectAll().where('evaluation_id', '=', evaluation.id).executeTakeFirst();
  if (result.passed === false) {
    const focus = JSON.stringify(focusAreas(rubric, result));
    if (!existing) {
      const row = await trx
        .insertInto('coaching_tasks')
        .values({
          csr_id: evaluation.agent_id,
          assignee_id: await assigneeFor(trx, evaluation),
          team_id: evaluation.team_id,
          evaluation_id: evaluation.id,
          focus,
          due_at: await dueAtFrom(trx, context.now),
          created_by: context.actorId,
          created_at: context.now,
          updated_at: context.now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return row.id;
    }
    if (existing.status === 'cancelled') {
      await trx
        .updateTable('coaching_tasks')
        .set({
          status: 'open',
          focus,
          due_at: await dueAtFrom(trx, context.now),
          cancelled_at: null,
          cancel_note: null,
          updated_at: context.now,
        })
        .where('id', '=', existing.id)
        .execute();
    } else if (existing.status === 'open' || existing.status === 'scheduled') {
      await trx
        .updateTable('coaching_tasks')
        .set({ focus, updated_at: context.now })
        .where('id', '=', existing.id)
        .execute();
    }
    return existing.id;
  }
  if (existing && (existing.status === 'open' || existing.status === 'scheduled')) {
    await trx
      .updateTable('coaching_tasks')
      .set({
        status: 'cancelled',
        cancelled_at: context.now,
        cancel_note: 'Cancelled: the scorecard was rescored to a pass.',
        updated_at: context.now,
      })
      .where('id', '=', existing.id)
      .execute();
  }
  return null;
}
