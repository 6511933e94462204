import type { Executor } from '../db/transaction';
import { insertRubricBody } from './rubrics.queries';
import type { RubricInput } from './rubrics.schemas';

// Writing rubric versions: a draft's header and body, publishing and retiring.

/** The header columns a rubric form sets, as stored. */
function headerColumns(input: RubricInput) {
  return {
    name: input.name,
    description: input.description,
    pass_threshold: input.pass_threshold,
    release_mode: input.release_mode,
    release_after_days: input.release_mode === 'after_days' ? input.release_after_days : null,
    disputes_enabled: input.disputes_enabled ? 1 : 0,
    dispute_limit: input.dispute_limit,
    dispute_window_days: input.dispute_window_days,
    dispute_reviewer: input.dispute_reviewer,
    auto_mode: input.auto_mode,
  };
}

/** A new draft with its body: version 1 of a family of its own, or the given version of an existing family. */
export async function insertRubric(
  db: Executor,
  input: RubricInput,
  actorId: number | null,
  now: string,
  family?: { id: number; version: number },
): Promise<number> {
  const { id } = await db
    .insertInto('rubrics')
    .values({
      family_id: family?.id ?? null,
      version: family?.version ?? 1,
      ...headerColumns(input),
      created_by: actorId,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (!family) await db.updateTable('rubrics').set({ family_id: id }).where('id', '=', id).execute();
  await insertRubricBody(db, id, input);
  return id;
}

/** Replaces a draft's header and body; false when it is no longer a draft (nothing changed). */
export async function replaceDraft(db: Executor, id: number, input: RubricInput, now: string): Promise<boolean> {
  const updated = await db
    .updateTable('rubrics')
    .set({ ...headerColumns(input), updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) return false;
  await db.deleteFrom('rubric_sections').where('rubric_id', '=', id).execute();
  await insertRubricBody(db, id, input);
  return true;
}

/** Retires one version, or the published version of a family; retired versions stay readable. */
export async function retireVersions(
  db: Executor,
  which: { id: number } | { publishedOfFamily: number | null },
  now: string,
): Promise<void> {
  let query = db.updateTable('rubrics').set({ status: 'retired', retired_at: now, updated_at: now });
  query =
    'id' in which
      ? query.where('id', '=', which.id)
      : query.where('family_id', '=', which.publishedOfFamily).where('status', '=', 'published');
  await query.execute();
}

export async function markPublished(db: Executor, id: number, now: string): Promise<void> {
  await db
    .updateTable('rubrics')
    .set({ status: 'published', published_at: now, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** The draft already open in a family, if any. */
export async function openDraftOfFamily(db: Executor, familyId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom('rubrics')
    .select('id')
    .where('family_id', '=', familyId)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  return row?.id;
}

export async function latestVersionOfFamily(db: Executor, familyId: number): Promise<number> {
  const row = await db
    .selectFrom('rubrics')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('family_id', '=', familyId)
    .executeTakeFirstOrThrow();
  return Number(row.v);
}

export async function anyRubricExists(db: Executor): Promise<boolean> {
  return (await db.selectFrom('rubrics').select('id').limit(1).executeTakeFirst()) !== undefined;
}
