import vm from 'node:vm';
import fc from 'fast-check';
import request from 'supertest';
import { computeScore, type AnswerValue, type ScoredRubric, type ScoreResult } from '../../src/scoring/score';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn, type Agent } from '../helpers/http';
import {
  api,
  caseAnswers,
  caseModel,
  caseRubricJson,
  makeCall,
  rubricCase,
  tokenFor,
  type Api,
  type RubricCase,
} from '../helpers/scoring';

// The scoring page's live score and the stored score must be the same math: the browser runs
// /static/build/score-math.js, the server requires the same file. Here the file is fetched through the app and
// run in a fresh JavaScript realm with only a window-like global, as a <script> tag would run it.

interface BrowserScoreMath {
  computeScore(rubric: ScoredRubric, answers: Record<string, AnswerValue>): ScoreResult;
}

let ctx: TestContext;
let org: Org;
let browser: BrowserScoreMath;
let admin: Api;
let supervisor: Api;
let supervisorPage: Agent;

async function loadBrowserScoreMath(): Promise<BrowserScoreMath> {
  const res = await request(ctx.app).get('/static/build/score-math.js');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/javascript/);
  const window: Record<string, unknown> = {};
  window.self = window;
  window.window = window;
  vm.createContext(window);
  vm.runInContext(res.text, window, { filename: 'score-math.js' });
  expect(typeof window.ScoreMath).toBe('object');
  return window.ScoreMath as BrowserScoreMath;
}

/** Results compared as the JSON the page and the API would carry (plain data, no realm-specific prototypes). */
const plain = (result: unknown) => JSON.parse(JSON.stringify(result)) as unknown;

beforeAll(async () => {
  ctx = makeTestApp();
  org = await buildOrg(ctx.deps);
  browser = await loadBrowserScoreMath();
  admin = api(ctx.app, await tokenFor(ctx.deps, org.admin));
  supervisor = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
  supervisorPage = await signIn(ctx.app, org.supervisorA.username);
});
afterAll(async () => ctx.close());

test('the file served to browsers defines ScoreMath on the window and does not rely on CommonJS', async () => {
  const res = await request(ctx.app).get('/static/build/score-math.js');
  const sandbox: Record<string, unknown> = {};
  sandbox.self = sandbox;
  vm.createContext(sandbox);
  vm.runInContext(res.text, sandbox);
  expect(Object.keys(sandbox as object)).toContain('ScoreMath');
  expect(typeof (sandbox.ScoreMath as BrowserScoreMath).computeScore).toBe('function');
  expect(sandbox.module).toBeUndefined();
});

describe('the same results in browser and server on fixed cases', () => {
  const worked: RubricCase = {
    pass_threshold: 75,
    sections: [
      {
        weight: 1,
        threshold: null,
        items: [
          {
            type: 'yes_no',
            points: 1,
            max: 1,
            options: [],
            allow_na: false,
            critical: false,
            answer: { kind: 'value', pick: 0 },
          },
          {
            type: 'yes_no',
            points: 1,
            max: 1,
            options: [],
            allow_na: false,
            critical: false,
            answer: { kind: 'value', pick: 0.9 },
          },
        ],
      },
      {
        weight: 3,
        threshold: null,
        items: [
          {
            type: 'scale',
            points: 1,
            max: 4,
            options: [],
            allow_na: false,
            critical: false,
            answer: { kind: 'value', pick: 0.7 },
          },
          {
            type: 'choice',
            points: 1,
            max: 1,
            options: [0, 2, 5],
            allow_na: false,
            critical: false,
            answer: { kind: 'value', pick: 0.9 },
          },
        ],
      },
    ],
  };
  const na = (c: RubricCase): RubricCase => ({
    ...c,
    sections: c.sections.map((s) => ({
      ...s,
      items: s.items.map((i) => ({ ...i, allow_na: true, answer: { kind: 'na' as const, pick: 0 } })),
    })),
  });
  const critical: RubricCase = {
    ...worked,
    sections: [
      {
        ...worked.sections[0],
        items: [{ ...worked.sections[0].items[1], critical: true }, worked.sections[0].items[0]],
      },
      worked.sections[1],
    ],
  };
  const sectionBelow: RubricCase = {
    ...worked,
    sections: [{ ...worked.sections[0], threshold: 60 }, worked.sections[1]],
  };
  const cases: Array<[string, RubricCase]> = [
    ['the worked example', worked],
    ['every item N/A', na(worked)],
    ['a critical fail', critical],
    ['a section below its own threshold', sectionBelow],
    [
      'nothing answered yet',
      {
        ...worked,
        sections: worked.sections.map((s) => ({
          ...s,
          items: s.items.map((i) => ({ ...i, answer: { kind: 'none' as const, pick: 0 } })),
        })),
      },
    ],
  ];

  test.each(cases)('%s', (_name, c) => {
    const { rubric, answers } = caseModel(c);
    expect(plain(browser.computeScore(rubric, answers))).toEqual(plain(computeScore(rubric, answers)));
  });

  test('the worked example gives 79.166667 in the browser realm too', () => {
    const { rubric, answers } = caseModel(worked);
    expect(browser.computeScore(rubric, answers).score).toBe(79.166667);
  });
});

test('property: random rubrics and answers give identical results in browser and server', () => {
  fc.assert(
    fc.property(rubricCase, (c) => {
      const { rubric, answers } = caseModel(c);
      // The page keys answers by the item id as found in the DOM (a string) and sends option ids as strings.
      const domAnswers: Record<string, AnswerValue> = {};
      for (const [itemId, value] of Object.entries(answers))
        domAnswers[itemId] =
          typeof value === 'number' && rubricItemType(rubric, Number(itemId)) === 'choice' ? String(value) : value;
      const server = plain(computeScore(rubric, answers));
      expect(plain(browser.computeScore(rubric, answers))).toEqual(server);
      expect(plain(browser.computeScore(rubric, domAnswers))).toEqual(server);
    }),
    { numRuns: 1000 },
  );
});

function rubricItemType(rubric: ScoredRubric, itemId: number) {
  return rubric.sections.flatMap((s) => s.items).find((i) => i.id === itemId)?.type;
}

/** The rubric model and the answers exactly as the scoring page gives them to its script. */
function pageState(html: string): { model: ScoredRubric; answers: Record<string, AnswerValue> } {
  const modelJson = /<script type="application\/json" id="rubric-model">([\s\S]*?)<\/script>/.exec(html);
  if (!modelJson) throw new Error('no rubric model on the scoring page');
  const model = JSON.parse(modelJson[1]) as ScoredRubric;
  const types = new Map(model.sections.flatMap((s) => s.items).map((i) => [String(i.id), i.type]));
  const answers: Record<string, AnswerValue> = {};
  for (const m of html.matchAll(/<input type="radio" name="a_(\d+)" value="([^"]+)"[^>]*\bchecked>/g)) {
    const [, itemId, value] = m;
    // scoring.js: a scale's value is a number, everything else (yes/no, option ids, "na") the input's string.
    answers[itemId] = value === 'na' || types.get(itemId) !== 'scale' ? value : Number(value);
  }
  return { model, answers };
}

test('property: on random rubrics stored through the API, the scoring page computes exactly the stored score', async () => {
  const cases = fc.sample(rubricCase, { numRuns: 25, seed: 20261123 });
  for (const c of cases) {
    const created = await admin.post('/api/v1/rubrics', caseRubricJson(c));
    expect(created.status).toBe(201);
    expect((await admin.post(`/api/v1/rubrics/${created.body.id}/publish`, {})).status).toBe(200);
    const rubric = (await admin.get(`/api/v1/rubrics/${created.body.id}`)).body;
    const call = await makeCall(ctx.deps, org.admin, org.csrA);
    const saved = await supervisor.post('/api/v1/evaluations', {
      call_id: call.id,
      rubric_id: rubric.id,
      answers: caseAnswers(c, rubric),
      submit: false,
    });
    expect(saved.status).toBe(201);
    const page = await supervisorPage.get(`/evaluations/${saved.body.id}/score`);
    expect(page.status).toBe(200);
    const { model, answers } = pageState(page.text);
    expect(Object.keys(answers).length).toBe(caseAnswers(c, rubric).length);
    const live = browser.computeScore(model, answers);
    expect(live.score).toBe(saved.body.score);
    expect(live.raw_score).toBe(saved.body.raw_score);
    expect(live.passed).toBe(saved.body.passed);
    expect(live.critical_failed).toBe(saved.body.critical_failed);
    expect(plain(live.sections)).toEqual(saved.body.sections);
    expect(plain(live)).toEqual(plain(computeScore(model, answers)));
  }
});

test('the stored score of a submitted scorecard equals the live score of its page before submit', async () => {
  const c: RubricCase = {
    pass_threshold: 80,
    sections: [
      {
        weight: 2.5,
        threshold: 50,
        items: [
          {
            type: 'scale',
            points: 1,
            max: 7,
            options: [],
            allow_na: false,
            critical: false,
            answer: { kind: 'value', pick: 0.6 },
          },
          {
            type: 'choice',
            points: 1,
            max: 1,
            options: [1, 4, 9],
            allow_na: true,
            critical: true,
            answer: { kind: 'value', pick: 0.5 },
          },
        ],
      },
      {
        weight: 1,
        threshold: null,
        items: [
          {
            type: 'yes_no',
            points: 1.5,
            max: 1,
            options: [],
            allow_na: false,
            critical: false,
            answer: { kind: 'value', pick: 0.2 },
          },
        ],
      },
    ],
  };
  const created = await admin.post('/api/v1/rubrics', caseRubricJson(c));
  await admin.post(`/api/v1/rubrics/${created.body.id}/publish`, {});
  const rubric = (await admin.get(`/api/v1/rubrics/${created.body.id}`)).body;
  const call = await makeCall(ctx.deps, org.admin, org.csrA);
  const draft = await supervisor.post('/api/v1/evaluations', {
    call_id: call.id,
    rubric_id: rubric.id,
    answers: caseAnswers(c, rubric),
    submit: false,
  });
  const { model, answers } = pageState((await supervisorPage.get(`/evaluations/${draft.body.id}/score`)).text);
  const live = browser.computeScore(model, answers);
  const submitted = await supervisor.post('/api/v1/evaluations', {
    call_id: call.id,
    rubric_id: rubric.id,
    answers: caseAnswers(c, rubric),
    submit: true,
  });
  expect(submitted.status).toBe(201);
  expect(submitted.body.id).toBe(draft.body.id);
  expect(submitted.body.score).toBe(live.score);
  // Section 1: scale 4 of 7 and option 4 of 9 = 50%; section 2: Yes = 100%; (50 × 2.5 + 100 × 1) ÷ 3.5.
  expect(live.score).toBe(64.285714);
  expect(live.passed).toBe(false);
  const stored = await supervisor.get(`/api/v1/evaluations/${draft.body.id}`);
  expect(stored.body.score).toBe(live.score);
  expect(stored.body.passed).toBe(live.passed);
});
