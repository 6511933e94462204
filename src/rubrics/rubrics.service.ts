import { recordAudit } from '../audit';
import type { DB } from '../db/database';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, NotFound } from '../lib/errors';
import { parseInput } from '../lib/validation';
import type { Actor } from '../policy';
import { findRubric, insertRubricBody, loadRubric, toInput, type FullRubric } from './rubrics.queries';
import { rubricSchema, type RubricInput } from './rubrics.schemas';

function disputeColumns(input: RubricInput) {
  return {
    disputes_enabled: input.disputes_enabled ? 1 : 0,
    dispute_limit: input.dispute_limit,
    dispute_window_days: input.dispute_window_days,
    dispute_reviewer: input.dispute_reviewer,
  };
}

async function insertRubric(
  db: DB,
  input: RubricInput,
  actorId: number | null,
  now: string,
  family?: { id: number; version: number },
) {
  const { id } = await db
    .insertInto('rubrics')
    .values({
      family_id: family?.id ?? null,
      version: family?.version ?? 1,
      name: input.name,
      description: input.description,
      pass_threshold: input.pass_threshold,
      release_mode: input.release_mode,
      release_after_days: input.release_mode === 'after_days' ? input.release_after_days : null,
      ...disputeColumns(input),
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

/** A new rubric, as a draft (version 1 of its own family). */
export async function createRubric(deps: AppDeps, actor: Actor | null, raw: unknown, ip?: string): Promise<FullRubric> {
  const input = parseInput(rubricSchema, raw);
  const now = isoNow(deps.clock);
  const id = await deps.db.transaction().execute(async (trx) => {
    const rubricId = await insertRubric(trx, input, actor?.id ?? null, now);
    await recordAudit(trx, now, {
      actorId: actor?.id ?? null,
      action: 'rubric.created',
      entityType: 'rubric',
      entityId: rubricId,
      details: { name: input.name },
      ip,
    });
    return rubricId;
  });
  return (await loadRubric(deps.db, id))!;
}

/** Replaces a draft's content. A published version is never edited in place. */
export async function updateDraft(
  deps: AppDeps,
  actor: Actor,
  id: number,
  raw: unknown,
  ip?: string,
): Promise<FullRubric> {
  const input = parseInput(rubricSchema, raw);
  const rubric = await findRubric(deps.db, id);
  if (!rubric) throw new NotFound('No such rubric.');
  if (rubric.status !== 'draft')
    throw new Conflict('Only a draft can be edited; start a new version instead.', 'not_draft');
  const now = isoNow(deps.clock);
  await deps.db.transaction().execute(async (trx) => {
    // Still a draft inside the transaction: a publish that landed since the check above must not be edited.
    const updated = await trx
      .updateTable('rubrics')
      .set({
        name: input.name,
        description: input.description,
        pass_threshold: input.pass_threshold,
        release_mode: input.release_mode,
        release_after_days: input.release_mode === 'after_days' ? input.release_after_days : null,
        ...disputeColumns(input),
        updated_at: now,
      })
      .where('id', '=', id)
      .where('status', '=', 'draft')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) {
      throw new Conflict('Only a draft can be edited; start a new version instead.', 'not_draft');
    }
    await trx.deleteFrom('rubric_sections').where('rubric_id', '=', id).execute();
    await insertRubricBody(trx, id, input);
    await recordAudit(trx, now, {
      actorId: actor.id,
      action: 'rubric.updated',
      entityType: 'rubric',
      entityId: id,
      ip,
    });
  });
  return (await loadRubric(deps.db, id))!;
}

/** Publishes a draft; the family's previously published version is retired (it stays readable). */
export async function publishRubric(deps: AppDeps, actor: Actor | null, id: number, ip?: string): Promise<FullRubric> {
  const rubric = await findRubric(deps.db, id);
  if (!rubric) throw new NotFound('No such rubric.');
  if (rubric.status !== 'draft') throw new Conflict('This version is already published or retired.', 'not_draft');
  const now = isoNow(deps.clock);
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('rubrics')
      .set({ status: 'retired', retired_at: now, updated_at: now })
      .where('family_id', '=', rubric.family_id)
      .where('status', '=', 'published')
      .execute();
    await trx
      .updateTable('rubrics')
      .set({ status: 'published', published_at: now, updated_at: now })
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, now, {
      actorId: actor?.id ?? null,
      action: 'rubric.published',
      entityType: 'rubric',
      entityId: id,
      details: { version: rubric.version },
      ip,
    });
  });
  return (await loadRubric(deps.db, id))!;
}

/** Editing a published rubric: a new draft version of the same family (or the draft already open). */
export async function startNewVersion(deps: AppDeps, actor: Actor, id: number, ip?: string): Promise<number> {
  const source = await loadRubric(deps.db, id);
  if (!source) throw new NotFound('No such rubric.');
  const now = isoNow(deps.clock);
  return deps.db.transaction().execute(async (trx) => {
    const familyId = source.family_id ?? source.id;
    const open = await trx
      .selectFrom('rubrics')
      .select('id')
      .where('family_id', '=', familyId)
      .where('status', '=', 'draft')
      .executeTakeFirst();
    if (open) return open.id;
    const latest = await trx
      .selectFrom('rubrics')
      .select((eb) => eb.fn.max('version').as('v'))
      .where('family_id', '=', familyId)
      .executeTakeFirstOrThrow();
    const newId = await insertRubric(trx, toInput(source), actor.id, now, {
      id: familyId,
      version: Number(latest.v) + 1,
    });
    await recordAudit(trx, now, {
      actorId: actor.id,
      action: 'rubric.version_started',
      entityType: 'rubric',
      entityId: newId,
      details: { from: id },
      ip,
    });
    return newId;
  });
}

/** A copy as a new rubric of its own, to start a similar form. */
export async function duplicateRubric(deps: AppDeps, actor: Actor, id: number, ip?: string): Promise<number> {
  const source = await loadRubric(deps.db, id);
  if (!source) throw new NotFound('No such rubric.');
  const copy = { ...toInput(source), name: `Copy of ${source.name}`.slice(0, 120) };
  const created = await createRubric(deps, actor, copy, ip);
  return created.id;
}

export async function retireRubric(deps: AppDeps, actor: Actor, id: number, ip?: string): Promise<void> {
  const rubric = await findRubric(deps.db, id);
  if (!rubric) throw new NotFound('No such rubric.');
  if (rubric.status !== 'published') throw new Conflict('Only a published rubric can be retired.', 'not_published');
  const now = isoNow(deps.clock);
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('rubrics')
      .set({ status: 'retired', retired_at: now, updated_at: now })
      .where('id', '=', id)
      .execute();
    await recordAudit(trx, now, {
      actorId: actor.id,
      action: 'rubric.retired',
      entityType: 'rubric',
      entityId: id,
      ip,
    });
  });
}
