import type { Selectable } from 'kysely';
import type { AutoEvaluationAnswersTable, AutoEvaluationsTable } from '../db/schema';
import { callQueue } from '../db/call-queue';
import type { Executor } from '../db/transaction';

// Automatic evaluations: the rubrics in auto mode, the calls they still have to reach, and the stored answers
// with the daily sums (auto_item_day, auto_call_day) moved in step with every write.

export interface AutoRubricRef {
  id: number;
  family_id: number;
}

/** The published rubric versions in auto mode, one per family. */
export async function autoRubrics(db: Executor): Promise<AutoRubricRef[]> {
  const rows = await db
    .selectFrom('rubrics')
    .select(['id', 'family_id'])
    .where('status', '=', 'published')
    .where('auto_mode', '=', 'auto')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, family_id: r.family_id ?? r.id }));
}

const queue = callQueue('auto_evaluation_queue');

/** Marks a call's facts as changed: its automatic evaluations are redone by the runner. Idempotent. */
export const queueCall = queue.add;
export const queuedCalls = queue.next;
export const unqueueCall = queue.remove;

/**
 * Analysed calls (audio analysed, or a transcript) with an agent, after `afterId`, that have no automatic
 * evaluation by this rubric version yet, in id order.
 */
export async function callsToReach(db: Executor, rubric: AutoRubricRef, afterId: number, limit: number) {
  const rows = await db
    .selectFrom('calls')
    .leftJoin('call_analyses', 'call_analyses.call_id', 'calls.id')
    .leftJoin('auto_evaluations', (join) =>
      join.onRef('auto_evaluations.call_id', '=', 'calls.id').on('auto_evaluations.family_id', '=', rubric.family_id),
    )
    .select('calls.id')
    .where('calls.id', '>', afterId)
    .where('calls.agent_id', 'is not', null)
    .where((eb) => eb.or([eb('call_analyses.status', '=', 'done'), eb('calls.transcript', 'is not', null)]))
    .where((eb) => eb.or([eb('auto_evaluations.id', 'is', null), eb('auto_evaluations.rubric_id', '!=', rubric.id)]))
    .orderBy('calls.id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** The call's record as an automatic evaluation files it; undefined when the call is gone. */
export async function callPlace(db: Executor, callId: number) {
  return db
    .selectFrom('calls')
    .leftJoin('call_analyses', 'call_analyses.call_id', 'calls.id')
    .select([
      'calls.id',
      'calls.team_id',
      'calls.agent_id',
      'calls.started_at',
      'calls.transcript',
      'call_analyses.status as analysis_status',
    ])
    .where('calls.id', '=', callId)
    .executeTakeFirst();
}

export async function findAutoEvaluation(db: Executor, callId: number, familyId: number) {
  return db
    .selectFrom('auto_evaluations')
    .selectAll()
    .where('call_id', '=', callId)
    .where('family_id', '=', familyId)
    .executeTakeFirst();
}

export async function autoAnswers(db: Executor, autoEvaluationId: number) {
  return db
    .selectFrom('auto_evaluation_answers')
    .selectAll()
    .where('auto_evaluation_id', '=', autoEvaluationId)
    .execute();
}

/** An automatic evaluation as written: every column but the id. */
export type AutoEvaluationRow = Omit<Selectable<AutoEvaluationsTable>, 'id'>;

/** One automatic answer as written, before it is tied to its evaluation. */
export type AutoAnswerRow = Omit<AutoEvaluationAnswersTable, 'auto_evaluation_id'>;

/** Inserts or replaces the call's automatic evaluation for the family with its answers; returns its id. */
export async function writeAutoEvaluation(
  db: Executor,
  existingId: number | null,
  row: AutoEvaluationRow,
  answers: AutoAnswerRow[],
): Promise<number> {
  let id = existingId;
  if (id === null) {
    const inserted = await db.insertInto('auto_evaluations').values(row).returning('id').executeTakeFirstOrThrow();
    id = inserted.id;
  } else {
    await db.updateTable('auto_evaluations').set(row).where('id', '=', id).execute();
    await db.deleteFrom('auto_evaluation_answers').where('auto_evaluation_id', '=', id).execute();
  }
  const evaluationId = id;
  if (answers.length > 0) {
    await db
      .insertInto('auto_evaluation_answers')
      .values(answers.map((a) => ({ ...a, auto_evaluation_id: evaluationId })))
      .execute();
  }
  return evaluationId;
}

export interface DayKey {
  day: string;
  rubric_id: number;
  team_id: number;
  agent_id: number;
}

/** Adds (sign 1) or takes away (sign -1) one evaluation's contribution to the daily sums. */
export async function addToDailySums(
  db: Executor,
  key: DayKey,
  sign: 1 | -1,
  call: { answered: boolean },
  items: ReadonlyArray<{ item_id: number; failed: boolean }>,
): Promise<void> {
  const answeredCall = call.answered ? sign : 0;
  await db
    .insertInto('auto_call_day')
    .values({ ...key, evaluated: sign, answered: answeredCall })
    .onConflict((oc) =>
      oc.columns(['rubric_id', 'day', 'team_id', 'agent_id']).doUpdateSet((eb) => ({
        evaluated: eb('auto_call_day.evaluated', '+', sign),
        answered: eb('auto_call_day.answered', '+', answeredCall),
      })),
    )
    .execute();
  for (const item of items) {
    const failed = item.failed ? sign : 0;
    await db
      .insertInto('auto_item_day')
      .values({ ...key, item_id: item.item_id, answered: sign, failed })
      .onConflict((oc) =>
        oc.columns(['rubric_id', 'day', 'team_id', 'agent_id', 'item_id']).doUpdateSet((eb) => ({
          answered: eb('auto_item_day.answered', '+', sign),
          failed: eb('auto_item_day.failed', '+', failed),
        })),
      )
      .execute();
  }
}
