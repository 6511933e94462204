import type { DB } from '../db/database';
import type { Rubric } from '../db/schema';
import type { ScoredRubric } from '../scoring';
import { ruleAsInput, ruleToStore, storedRule, type StoredRule } from './rubric-rules';
import { maxPointsOf, type RubricInput } from './rubrics.schemas';

export interface FullItem {
  id: number;
  section_id: number;
  position: number;
  prompt: string;
  guidance: string | null;
  type: 'yes_no' | 'scale' | 'choice';
  max_points: number;
  allow_na: boolean;
  critical: boolean;
  comment_required: boolean;
  options: Array<{ id: number; label: string; points: number }>;
  /** The automatic rule, answers in stored form; never shown to a CSR (silent monitoring). */
  auto: StoredRule | null;
}

export interface FullSection {
  id: number;
  title: string;
  weight: number;
  threshold: number | null;
  items: FullItem[];
}

export interface FullRubric extends Rubric {
  sections: FullSection[];
}

export async function findRubric(db: DB, id: number): Promise<Rubric | undefined> {
  return db.selectFrom('rubrics').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Sections of rubric versions past draft, per database. A published (or retired) version is never edited, so
 * its body is read once; it is frozen, so a caller that tried to change it would fail loudly. Drafts, whose
 * body an edit replaces, are always read afresh.
 */
const settledBodies = new WeakMap<DB, Map<number, FullSection[]>>();

/** A rubric version with its sections, items and options in order. */
export async function loadRubric(db: DB, id: number): Promise<FullRubric | undefined> {
  const rubric = await findRubric(db, id);
  if (!rubric) return undefined;
  if (rubric.status === 'draft') return { ...rubric, sections: await readSections(db, id) };
  let bodies = settledBodies.get(db);
  if (!bodies) settledBodies.set(db, (bodies = new Map()));
  let sections = bodies.get(id);
  if (!sections) {
    sections = deepFreeze(await readSections(db, id));
    bodies.set(id, sections);
  }
  return { ...rubric, sections };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

async function readSections(db: DB, id: number): Promise<FullSection[]> {
  const [sections, items, options] = await Promise.all([
    db.selectFrom('rubric_sections').selectAll().where('rubric_id', '=', id).orderBy('position').execute(),
    db.selectFrom('rubric_items').selectAll().where('rubric_id', '=', id).orderBy('position').execute(),
    db
      .selectFrom('rubric_options')
      .innerJoin('rubric_items', 'rubric_items.id', 'rubric_options.item_id')
      .select(['rubric_options.id', 'rubric_options.item_id', 'rubric_options.label', 'rubric_options.points'])
      .where('rubric_items.rubric_id', '=', id)
      .orderBy('rubric_options.position')
      .execute(),
  ]);
  return sections.map((s) => ({
    id: s.id,
    title: s.title,
    weight: s.weight,
    threshold: s.threshold,
    items: items
      .filter((i) => i.section_id === s.id)
      .map((i) => ({
        id: i.id,
        section_id: i.section_id,
        position: i.position,
        prompt: i.prompt,
        guidance: i.guidance,
        type: i.type,
        max_points: i.max_points,
        allow_na: i.allow_na === 1,
        critical: i.critical === 1,
        comment_required: i.comment_required === 1,
        options: options.filter((o) => o.item_id === i.id).map((o) => ({ id: o.id, label: o.label, points: o.points })),
        auto: storedRule(i.auto_rule),
      })),
  }));
}

/** The part of a rubric the score math needs (also sent to the scoring page's script). */
export function scoringModel(rubric: FullRubric): ScoredRubric {
  return {
    pass_threshold: rubric.pass_threshold,
    sections: rubric.sections.map(({ items, ...section }) => ({
      ...section,
      items: items.map((i) => ({
        id: i.id,
        type: i.type,
        max_points: i.max_points,
        critical: i.critical,
        options: i.options.map((o) => ({ id: o.id, points: o.points })),
      })),
    })),
  };
}

/** Writes sections, items and options for a rubric version (which must have none yet). */
export async function insertRubricBody(db: DB, rubricId: number, input: RubricInput): Promise<void> {
  for (const [sIndex, section] of input.sections.entries()) {
    const { id: sectionId } = await db
      .insertInto('rubric_sections')
      .values({
        rubric_id: rubricId,
        position: sIndex,
        title: section.title,
        weight: section.weight,
        threshold: section.threshold,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const [iIndex, item] of section.items.entries()) {
      await insertItem(db, rubricId, sectionId, iIndex, item, `sections.${sIndex}.items.${iIndex}.auto`);
    }
  }
}

type ItemOfInput = RubricInput['sections'][number]['items'][number];

/** One item with its options, then its rule (whose option labels need the options' ids). */
async function insertItem(
  db: DB,
  rubricId: number,
  sectionId: number,
  position: number,
  item: ItemOfInput,
  path: string,
) {
  const maxPoints = maxPointsOf(item);
  const { id: itemId } = await db
    .insertInto('rubric_items')
    .values({
      rubric_id: rubricId,
      section_id: sectionId,
      position,
      prompt: item.prompt,
      guidance: item.guidance,
      type: item.type,
      max_points: maxPoints,
      allow_na: item.allow_na ? 1 : 0,
      critical: item.critical ? 1 : 0,
      comment_required: item.comment_required ? 1 : 0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const options: Array<{ id: number; label: string; points: number }> = [];
  if (item.type === 'choice') {
    for (const [oIndex, option] of item.options.entries()) {
      const { id } = await db
        .insertInto('rubric_options')
        .values({ item_id: itemId, position: oIndex, label: option.label, points: option.points })
        .returning('id')
        .executeTakeFirstOrThrow();
      options.push({ id, label: option.label, points: option.points });
    }
  }
  const rule = ruleToStore(item, maxPoints, options, path);
  if (rule !== null) await db.updateTable('rubric_items').set({ auto_rule: rule }).where('id', '=', itemId).execute();
}

/** A stored rubric's pass mark, release and dispute settings, as the API and a rubric's input spell them. */
export function rubricSettings(rubric: FullRubric) {
  return {
    pass_threshold: rubric.pass_threshold,
    release_mode: rubric.release_mode,
    release_after_days: rubric.release_after_days,
    disputes_enabled: rubric.disputes_enabled === 1,
    dispute_limit: rubric.dispute_limit,
    dispute_window_days: rubric.dispute_window_days,
    dispute_reviewer: rubric.dispute_reviewer,
    auto_mode: rubric.auto_mode,
  };
}

/** A stored rubric as API input, for copying it into a new version or a duplicate. */
export function toInput(rubric: FullRubric): RubricInput {
  return {
    name: rubric.name,
    description: rubric.description,
    ...rubricSettings(rubric),
    sections: rubric.sections.map((s) => ({
      title: s.title,
      weight: s.weight,
      threshold: s.threshold,
      items: s.items.map((i) => ({
        prompt: i.prompt,
        guidance: i.guidance,
        type: i.type,
        max: i.type === 'scale' ? i.max_points : null,
        points: i.type === 'yes_no' ? i.max_points : null,
        options: i.options.map((o) => ({ label: o.label, points: o.points })),
        allow_na: i.allow_na,
        critical: i.critical,
        comment_required: i.comment_required,
        auto: ruleAsInput(i.auto, i),
      })),
    })),
  };
}

export async function listRubrics(db: DB) {
  return db
    .selectFrom('rubrics')
    .leftJoin('users', 'users.id', 'rubrics.created_by')
    .select([
      'rubrics.id',
      'rubrics.family_id',
      'rubrics.version',
      'rubrics.name',
      'rubrics.status',
      'rubrics.pass_threshold',
      'rubrics.release_mode',
      'rubrics.updated_at',
      'rubrics.published_at',
      'users.display_name as author',
    ])
    .orderBy('rubrics.name')
    .orderBy('rubrics.family_id')
    .orderBy('rubrics.version', 'desc')
    .execute();
}

export async function publishedRubrics(db: DB) {
  return db
    .selectFrom('rubrics')
    .select(['id', 'name', 'version'])
    .where('status', '=', 'published')
    .orderBy('name')
    .execute();
}
