import { loadRubric, type FullSection } from '../../src/rubrics/rubrics.queries';
import { createRubric, publishRubric, retireRubric, updateDraft } from '../../src/rubrics/rubrics.service';
import { makeTestApp, sqliteOf, type TestContext } from '../helpers/app';
import { buildUser } from '../helpers/builders';
import { rubricJson, section, workedExampleRubric, yesNo } from '../helpers/scoring';
import { statementsDuring } from '../helpers/statements';

// loadRubric reads the body (sections, items, options) of a version past draft once per database: a
// published or retired version is never edited. A draft's body, which an edit replaces, is always read.

let ctx: TestContext;
let adminId: number;
const admin = () => ({ id: adminId, role: 'admin' as const });

beforeAll(async () => {
  ctx = makeTestApp();
  adminId = (await buildUser(ctx.deps, 'admin')).id;
});
afterAll(async () => ctx.close());

const bodyReads = (statements: string[]) =>
  statements.filter((sql) => /from "rubric_(sections|items|options)"/.test(sql)).length;

test('a published version’s body is read once; later loads read only its row and return the same content', async () => {
  const published = await publishRubric(ctx.deps, null, (await createRubric(ctx.deps, null, workedExampleRubric())).id);
  let first: Awaited<ReturnType<typeof loadRubric>>;
  let second: Awaited<ReturnType<typeof loadRubric>>;
  const firstReads = await statementsDuring(ctx, async () => (first = await loadRubric(ctx.deps.db, published.id)));
  const secondReads = await statementsDuring(ctx, async () => (second = await loadRubric(ctx.deps.db, published.id)));
  expect(bodyReads(firstReads) + bodyReads(secondReads)).toBeLessThanOrEqual(3);
  expect(bodyReads(secondReads)).toBe(0);
  expect(secondReads.filter((sql) => /from "rubrics"/.test(sql))).toHaveLength(1);
  expect(second).toEqual(first);
  expect(second!.sections.flatMap((s) => s.items.map((i) => i.prompt))).toEqual([
    'Used the company greeting',
    'Gave their own name',
    'Gave accurate information',
    'Followed the refunds policy',
  ]);
});

test('a draft is read afresh each time, so an edit shows at once', async () => {
  const draft = await createRubric(ctx.deps, null, rubricJson([section('Opening', 1, [yesNo('Greeted')])]));
  expect((await loadRubric(ctx.deps.db, draft.id))!.sections[0].items.map((i) => i.prompt)).toEqual(['Greeted']);
  await updateDraft(
    ctx.deps,
    admin(),
    draft.id,
    rubricJson([section('Opening', 1, [yesNo('Greeted'), yesNo('Gave their name')])]),
  );
  const edited = await loadRubric(ctx.deps.db, draft.id);
  expect(edited!.sections[0].items.map((i) => i.prompt)).toEqual(['Greeted', 'Gave their name']);
  const published = await publishRubric(ctx.deps, null, draft.id);
  expect(published.sections[0].items.map((i) => i.prompt)).toEqual(['Greeted', 'Gave their name']);
});

test('the version’s row is always read: a retired version loads as retired, with the same body', async () => {
  const published = await publishRubric(ctx.deps, null, (await createRubric(ctx.deps, null, workedExampleRubric())).id);
  const before = (await loadRubric(ctx.deps.db, published.id))!;
  await retireRubric(ctx.deps, admin(), published.id);
  const after = (await loadRubric(ctx.deps.db, published.id))!;
  expect(before.status).toBe('published');
  expect(after.status).toBe('retired');
  expect(after.sections).toEqual(before.sections);
});

test('a kept body cannot be changed by a caller', async () => {
  const published = await publishRubric(ctx.deps, null, (await createRubric(ctx.deps, null, workedExampleRubric())).id);
  const rubric = (await loadRubric(ctx.deps.db, published.id))!;
  const sections = rubric.sections as FullSection[];
  // The arrays come from another realm than Jest's, so the TypeErrors are matched by message.
  const readOnly = /read only|read-only|Cannot (add|delete|assign)|not extensible/;
  expect(() => sections.pop()).toThrow(readOnly);
  expect(() => {
    sections[0].items[0].prompt = 'changed';
  }).toThrow(readOnly);
  expect(() => sections[1].items[1].options.push({ id: 0, label: 'extra', points: 9 })).toThrow(readOnly);
  expect((await loadRubric(ctx.deps.db, published.id))!.sections[0].items[0].prompt).toBe('Used the company greeting');
});

test('another database with a rubric of the same id gets its own body', async () => {
  const other = makeTestApp();
  try {
    const here = await createRubric(ctx.deps, null, rubricJson([section('Here', 1, [yesNo('Asked here')])]));
    let there = await createRubric(other.deps, null, rubricJson([section('There', 1, [yesNo('Asked there')])]));
    while (there.id < here.id) {
      there = await createRubric(other.deps, null, rubricJson([section('There', 1, [yesNo('Asked there')])]));
    }
    expect(there.id).toBe(here.id);
    await publishRubric(ctx.deps, null, here.id);
    await publishRubric(other.deps, null, there.id);
    expect((await loadRubric(ctx.deps.db, here.id))!.sections[0].title).toBe('Here');
    expect((await loadRubric(other.deps.db, there.id))!.sections[0].title).toBe('There');
    expect((await loadRubric(ctx.deps.db, here.id))!.sections[0].title).toBe('Here');
  } finally {
    await other.close();
  }
});

test('an edit racing a publish never changes the published version: it lands before the publish or is refused', async () => {
  for (let attempt = 0; attempt < 8; attempt++) {
    const draft = await createRubric(ctx.deps, null, rubricJson([section('Opening', 1, [yesNo('Greeted')])]));
    const edit = rubricJson([section('Opening', 1, [yesNo('Greeted'), yesNo(`Edited ${attempt}`)])]);
    // Started together, the edit's check reads "draft" before the publish commits in about half the attempts.
    const [edited, published] = await Promise.allSettled([
      attempt % 2
        ? updateDraft(ctx.deps, admin(), draft.id, edit)
        : Promise.resolve().then(() => updateDraft(ctx.deps, admin(), draft.id, edit)),
      publishRubric(ctx.deps, null, draft.id),
    ]);
    expect(published.status).toBe('fulfilled');
    const prompts = (await loadRubric(ctx.deps.db, draft.id))!.sections[0].items.map((i) => i.prompt);
    const stored = sqliteOf(ctx.database)
      .prepare(
        `select i.prompt from rubric_items i join rubric_sections s on s.id = i.section_id where s.rubric_id = ? order by s.position, i.position`,
      )
      .all(draft.id)
      .map((r) => (r as { prompt: string }).prompt);
    expect(prompts).toEqual(stored);
    const audit = sqliteOf(ctx.database)
      .prepare(`select action from audit_log where entity_type = 'rubric' and entity_id = ? order by id`)
      .all(draft.id)
      .map((r) => (r as { action: string }).action);
    if (edited.status === 'fulfilled') {
      // The edit committed first, and the publish froze the edited body.
      expect(stored).toEqual(['Greeted', `Edited ${attempt}`]);
      expect(audit.indexOf('rubric.updated')).toBeLessThan(audit.indexOf('rubric.published'));
    } else {
      expect((edited.reason as { status?: number }).status).toBe(409);
      expect(stored).toEqual(['Greeted']);
      expect(audit).not.toContain('rubric.updated');
    }
  }
});
