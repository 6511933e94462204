import { recordChange } from '../audit';
import type { DB } from '../db/database';
import { inTransaction } from '../db/transaction';
import type { AppDeps } from '../deps';
import { isoNow } from '../lib/clock';
import { Conflict, NotFound } from '../lib/errors';
import { parseInput } from '../lib/validation';
import type { Actor } from '../policy';
import {
  insertRubric,
  latestVersionOfFamily,
  markPublished,
  openDraftOfFamily,
  replaceDraft,
  retireVersions,
} from './rubric-versions.queries';
import { findRubric, loadRubric, toInput, type FullRubric } from './rubrics.queries';
import { rubricSchema } from './rubrics.schemas';

/** A rubric version just written: it must be there to read back. */
async function loadWritten(db: DB, id: number): Promise<FullRubric> {
  const rubric = await loadRubric(db, id);
  if (!rubric) throw new Error(`Rubric ${id} was written but cannot be read back.`);
  return rubric;
}

/** A new rubric, as a draft (version 1 of its own family). */
export async function createRubric(deps: AppDeps, actor: Actor | null, raw: unknown, ip?: string): Promise<FullRubric> {
  const input = parseInput(rubricSchema, raw);
  const now = isoNow(deps.clock);
  const id = await inTransaction(deps.db, async (trx) => {
    const rubricId = await insertRubric(trx, input, actor?.id ?? null, now);
    await recordChange(trx, now, { actorId: actor?.id ?? null, ip }, 'rubric.created', ['rubric', rubricId], {
      name: input.name,
    });
    return rubricId;
  });
  return loadWritten(deps.db, id);
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
  await inTransaction(deps.db, async (trx) => {
    // Still a draft inside the transaction: a publish that landed since the check above must not be edited.
    if (!(await replaceDraft(trx, id, input, now))) {
      throw new Conflict('Only a draft can be edited; start a new version instead.', 'not_draft');
    }
    await recordChange(trx, now, { actorId: actor.id, ip }, 'rubric.updated', ['rubric', id]);
  });
  return loadWritten(deps.db, id);
}

/** Publishes a draft; the family's previously published version is retired (it stays readable). */
export async function publishRubric(deps: AppDeps, actor: Actor | null, id: number, ip?: string): Promise<FullRubric> {
  const rubric = await findRubric(deps.db, id);
  if (!rubric) throw new NotFound('No such rubric.');
  if (rubric.status !== 'draft') throw new Conflict('This version is already published or retired.', 'not_draft');
  const now = isoNow(deps.clock);
  await inTransaction(deps.db, async (trx) => {
    await retireVersions(trx, { publishedOfFamily: rubric.family_id }, now);
    await markPublished(trx, id, now);
    await recordChange(trx, now, { actorId: actor?.id ?? null, ip }, 'rubric.published', ['rubric', id], {
      version: rubric.version,
    });
  });
  // After the commit, not awaited: a hook's failure (the auto-mode runner) is logged, the publication stands.
  for (const hook of deps.rubricPublished ?? []) {
    Promise.resolve()
      .then(() => hook(id))
      .catch((err: unknown) => deps.logger.error({ err, rubricId: id }, 'a rubric-published hook failed'));
  }
  return loadWritten(deps.db, id);
}

/** Editing a published rubric: a new draft version of the same family (or the draft already open). */
export async function startNewVersion(deps: AppDeps, actor: Actor, id: number, ip?: string): Promise<number> {
  const source = await loadRubric(deps.db, id);
  if (!source) throw new NotFound('No such rubric.');
  const now = isoNow(deps.clock);
  return inTransaction(deps.db, async (trx) => {
    const familyId = source.family_id ?? source.id;
    const open = await openDraftOfFamily(trx, familyId);
    if (open !== undefined) return open;
    const version = (await latestVersionOfFamily(trx, familyId)) + 1;
    const newId = await insertRubric(trx, toInput(source), actor.id, now, { id: familyId, version });
    await recordChange(trx, now, { actorId: actor.id, ip }, 'rubric.version_started', ['rubric', newId], { from: id });
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
  await inTransaction(deps.db, async (trx) => {
    await retireVersions(trx, { id }, now);
    await recordChange(trx, now, { actorId: actor.id, ip }, 'rubric.retired', ['rubric', id]);
  });
}
