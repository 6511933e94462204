import type { EvaluationAutoAnswersTable } from '../db/schema';
import type { Executor } from '../db/transaction';
import type { Insertable } from 'kysely';

// The rule's answer beside the person's, per submitted scorecard and ruled item (issue 16).

export async function replaceAutoAnswers(
  db: Executor,
  evaluationId: number,
  rows: Insertable<EvaluationAutoAnswersTable>[],
  /** The scorecard was opened in this same transaction: it has no rows to replace. */
  fresh = false,
): Promise<void> {
  if (!fresh) await db.deleteFrom('evaluation_auto_answers').where('evaluation_id', '=', evaluationId).execute();
  if (rows.length > 0) await db.insertInto('evaluation_auto_answers').values(rows).execute();
}

/** A rescore's new answers replace the person's side; the rule's side stays what it was at submit. */
export async function updateHumanValue(
  db: Executor,
  evaluationId: number,
  itemId: number,
  value: string | null,
): Promise<void> {
  await db
    .updateTable('evaluation_auto_answers')
    .set({ human_value: value })
    .where('evaluation_id', '=', evaluationId)
    .where('item_id', '=', itemId)
    .execute();
}

export async function autoAnswersOf(db: Executor, evaluationId: number) {
  return db
    .selectFrom('evaluation_auto_answers')
    .selectAll()
    .where('evaluation_id', '=', evaluationId)
    .orderBy('item_id')
    .execute();
}
