import { ensureDefaultRubric } from '../../src/rubrics';
import { startNewVersion } from '../../src/rubrics/rubrics.service';
import { DEFAULT_RULES } from '../../src/autoqa';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { api, choice, rubricJson, scale, section, tokenFor, yesNo, type Api } from '../helpers/scoring';

// Issue 16, part 1: rubric items carry automatic rules and a rubric its auto_mode; they are validated at
// creation (problems at their paths), option labels become option ids, and a version freezes them.

let ctx: TestContext;
let org: Org;
let adminApi: Api;
let supApi: Api;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  adminApi = api(ctx.app, await tokenFor(ctx.deps, org.admin));
  supApi = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
});
afterAll(async () => ctx.close());

const greetingRule = {
  when: { phrase: { any_of: ['thank you for calling', 'thanks for calling'], speaker: 'agent', within_first_s: 20 } },
  then: 'yes',
  else: 'no',
};

function ruledRubric() {
  const resolution = choice('Resolved', [3, 1, 0]);
  return rubricJson(
    [
      section('Greeting', 1, [{ ...yesNo('Greeted'), auto: greetingRule } as never, yesNo('Gave name')]),
      section('Close', 1, [
        { ...resolution, auto: { when: { dead_air_over_s: 10 }, then: 'Option 3 (0)', else: 'option 1 (3)' } } as never,
        { ...scale('Pace', 4), auto: { when: { overtalk_over_s: 3 }, then: 2, else: '4' } } as never,
      ]),
    ],
    { auto_mode: 'suggest' } as never,
  );
}

interface ItemBody {
  id: number;
  auto: { when: unknown; then: string; else: string } | null;
  options?: Array<{ id: number; label: string }>;
}
const itemsOfBody = (body: { sections: Array<{ items: ItemBody[] }> }) => body.sections.flatMap((s) => s.items);

describe('POST /api/v1/rubrics with automatic rules', () => {
  test('stores the rules with defaults filled in, answers in stored form and labels turned into option ids', async () => {
    const res = await adminApi.post('/api/v1/rubrics', ruledRubric());
    expect(res.status).toBe(201);
    expect(res.body.auto_mode).toBe('suggest');
    const [greeted, name, resolved, pace] = itemsOfBody(res.body);
    expect(greeted?.auto).toEqual({
      when: {
        phrase: {
          any_of: ['thank you for calling', 'thanks for calling'],
          speaker: 'agent',
          within_first_s: 20,
          within_last_s: null,
          fuzzy: false,
        },
      },
      then: 'yes',
      else: 'no',
    });
    expect(name?.auto).toBeNull();
    const byLabel = new Map(resolved?.options?.map((o) => [o.label, String(o.id)]));
    expect(resolved?.auto).toEqual({
      when: { dead_air_over_s: 10 },
      then: byLabel.get('Option 3 (0)'),
      else: byLabel.get('Option 1 (3)'),
    });
    expect(pace?.auto).toMatchObject({ then: '2', else: '4' });
    const fetched = await supApi.get(`/api/v1/rubrics/${res.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(res.body);
  });

  test('auto_mode defaults to off and an item without a rule has auto null', async () => {
    const res = await adminApi.post('/api/v1/rubrics', rubricJson([section('A', 1, [yesNo('Q')])]));
    expect(res.status).toBe(201);
    expect(res.body.auto_mode).toBe('off');
    expect(itemsOfBody(res.body)[0]?.auto).toBeNull();
  });

  test.each([
    [
      'an empty phrase',
      { when: { phrase: { any_of: ['ok', ''] } }, then: 'yes', else: 'no' },
      'sections.0.items.1.auto.when.phrase.any_of.1',
    ],
    ['an unknown condition', { when: { loudness_over: 3 }, then: 'yes', else: 'no' }, 'sections.0.items.1.auto.when'],
    [
      'a nested negative limit',
      { when: { all: [{ hold_over_s: 5 }, { not: { dead_air_over_s: -1 } }] }, then: 'yes', else: 'no' },
      'sections.0.items.1.auto.when.all.1.not.dead_air_over_s',
    ],
    [
      'an answer the item does not take',
      { when: { hold_over_s: 5 }, then: 'maybe', else: 'no' },
      'sections.0.items.1.auto.then',
    ],
    [
      'N/A on an item without N/A',
      { when: { hold_over_s: 5 }, then: 'yes', else: 'na' },
      'sections.0.items.1.auto.else',
    ],
  ])('%s is a 422 at its path, and nothing is stored', async (_name, auto, path) => {
    const before = await ctx.deps.db.selectFrom('rubrics').select('id').execute();
    const body = rubricJson([section('A', 1, [yesNo('Q1'), { ...yesNo('Q2'), auto } as never])]);
    const res = await adminApi.post('/api/v1/rubrics', body);
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(await ctx.deps.db.selectFrom('rubrics').select('id').execute()).toHaveLength(before.length);
  });

  test('an unknown option label and a bad auto_mode are refused with plain messages', async () => {
    const body = rubricJson(
      [
        section('A', 1, [
          { ...choice('C', [2, 0]), auto: { when: { hold_over_s: 1 }, then: 'Nope', else: 'Option 1 (2)' } } as never,
        ]),
      ],
      { auto_mode: 'sometimes' } as never,
    );
    const res = await adminApi.post('/api/v1/rubrics', body);
    expect(res.status).toBe(422);
    const details = res.body.error.details as Array<{ path: string; message: string }>;
    expect(details.find((d) => d.path === 'sections.0.items.0.auto.then')?.message).toMatch(/options/);
    expect(details.find((d) => d.path === 'auto_mode')?.message).toBe('auto_mode is "off", "suggest" or "auto".');
  });
});

describe('versions freeze their rules', () => {
  test('publishing keeps the rules; a new version copies them with its own option ids', async () => {
    const created = await adminApi.post('/api/v1/rubrics', ruledRubric());
    const published = await adminApi.post(`/api/v1/rubrics/${created.body.id}/publish`, {});
    expect(published.status).toBe(200);
    expect(itemsOfBody(published.body).map((i) => i.auto)).toEqual(itemsOfBody(created.body).map((i) => i.auto));
    expect(published.body.auto_mode).toBe('suggest');

    const v2 = await startNewVersion(ctx.deps, { id: org.admin.id, role: 'admin' }, created.body.id);
    const copy = await adminApi.get(`/api/v1/rubrics/${v2}`);
    expect(copy.body).toMatchObject({ version: 2, auto_mode: 'suggest' });
    const [greeted, , resolved] = itemsOfBody(copy.body);
    expect(greeted?.auto).toEqual(itemsOfBody(created.body)[0]?.auto);
    const byLabel = new Map(resolved?.options?.map((o) => [o.label, String(o.id)]));
    expect(resolved?.auto).toMatchObject({ then: byLabel.get('Option 3 (0)'), else: byLabel.get('Option 1 (3)') });
    // The old version's option ids are not the copy's.
    expect(resolved?.auto?.then).not.toBe(itemsOfBody(created.body)[2]?.auto?.then);
  });
});

describe('the default rubric', () => {
  test('ships in suggest mode with the default rules on its greeting, verification, hold and closing items', async () => {
    const fresh = makeTestApp();
    try {
      await ensureDefaultRubric(fresh.deps);
      const row = await fresh.deps.db.selectFrom('rubrics').selectAll().executeTakeFirstOrThrow();
      expect(row.auto_mode).toBe('suggest');
      const items = await fresh.deps.db.selectFrom('rubric_items').select(['prompt', 'auto_rule']).execute();
      const ruled = items.filter((i) => i.auto_rule !== null).map((i) => i.prompt);
      expect(ruled.sort()).toEqual(DEFAULT_RULES.map((r) => r.prompt).sort());
      const greeting = items.find((i) => i.prompt === 'Used the company greeting');
      expect(JSON.parse(greeting?.auto_rule ?? 'null')).toMatchObject({ then: 'yes', else: 'no' });
    } finally {
      await fresh.close();
    }
  });
});
