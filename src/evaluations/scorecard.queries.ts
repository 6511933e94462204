import { sql, type Insertable, type Updateable } from 'kysely';
import type { Evaluation, EvaluationRevisionsTable, EvaluationsTable } from '../db/schema';
import { engineOf } from '../db/dialect';
import type { Executor } from '../db/transaction';

// Writing scorecards: opening a draft, saving and submitting it, rescoring, releasing and acknowledging.

/**
 * Opens a draft unless the evaluator already has one of this call and rubric (a unique index on open
 * drafts): returns the new draft, or undefined when there was one already.
 */
export async function insertDraftUnlessOpen(
  db: Executor,
  draft: Insertable<EvaluationsTable>,
): Promise<Evaluation | undefined> {
  return db
    .insertInto('evaluations')
    .values(draft)
    .onConflict((oc) =>
      oc
        .columns(['call_id', 'rubric_id', 'evaluator_id'])
        .where('status', '=', sql.lit('draft'))
        .where('kind', '=', sql.lit('standard'))
        .doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
}

/** Who last changed a scorecard, when, and where it stands: what a refused stale save tells the user. */
export async function lastChangeOf(db: Executor, evaluationId: number) {
  return db
    .selectFrom('evaluations')
    .leftJoin('users', 'users.id', 'evaluations.updated_by')
    .select(['users.display_name', 'evaluations.updated_at', 'evaluations.revision', 'evaluations.status'])
    .where('evaluations.id', '=', evaluationId)
    .executeTakeFirst();
}

/** Saves a draft at the expected revision; undefined when it moved on meanwhile or is no longer a draft. */
export async function saveDraftAt(
  db: Executor,
  evaluationId: number,
  expectedRevision: number,
  changes: Updateable<EvaluationsTable>,
): Promise<Evaluation | undefined> {
  return db
    .updateTable('evaluations')
    .set(changes)
    .where('id', '=', evaluationId)
    .where('revision', '=', expectedRevision)
    .where('status', '=', 'draft')
    .returningAll()
    .executeTakeFirst();
}

export async function updateEvaluation(
  db: Executor,
  evaluationId: number,
  changes: Updateable<EvaluationsTable>,
): Promise<void> {
  await db.updateTable('evaluations').set(changes).where('id', '=', evaluationId).execute();
}

/** One more submitted scorecard of this call (the scoring queue shows calls with none). */
export async function countEvaluated(db: Executor, callId: number): Promise<void> {
  await db
    .updateTable('calls')
    .set((eb) => ({ evaluation_count: eb('evaluation_count', '+', 1) }))
    .where('id', '=', callId)
    .execute();
}

export async function insertRevision(db: Executor, revision: Insertable<EvaluationRevisionsTable>): Promise<void> {
  await db.insertInto('evaluation_revisions').values(revision).execute();
}

/** Submitted scorecards whose "after N days" release is due. */
/**
 * Submitted scorecards whose release is due. On PostgreSQL they are locked for the releasing transaction and
 * those another process is releasing are skipped, so each is released (and announced) once.
 */
export async function dueForRelease(db: Executor, now: string) {
  return db
    .selectFrom('evaluations')
    .select('id')
    .where('status', '=', 'submitted')
    .where('release_due_at', '<=', now)
    .$if(engineOf(db) === 'postgres', (qb) => qb.forUpdate().skipLocked())
    .execute();
}

export async function releaseOnSchedule(db: Executor, evaluationId: number, now: string): Promise<void> {
  await db
    .updateTable('evaluations')
    .set((eb) => ({ status: 'released', released_at: now, updated_at: now, revision: eb('revision', '+', 1) }))
    .where('id', '=', evaluationId)
    .where('status', '=', 'submitted')
    .execute();
}
