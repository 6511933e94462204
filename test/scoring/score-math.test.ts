import fc from 'fast-check';
import {
  computeScore,
  formatScore,
  type AnswerValue,
  type ScoredItem,
  type ScoredRubric,
} from '../../src/scoring/score';
import { makeTestApp, type TestContext } from '../helpers/app';
import { buildOrg, type Org } from '../helpers/builders';
import { signIn } from '../helpers/http';
import {
  api,
  caseModel,
  makeCall,
  publishedRubric,
  rubricCase,
  tokenFor,
  workedExampleAnswers,
  workedExampleRubric,
  type RubricCase,
} from '../helpers/scoring';

// Score math of DOMAIN.md ("Score math (exact)"), on hand-built rubric models.

let nextId = 0;
const id = () => ++nextId;

function yesNo(opts: { points?: number; critical?: boolean } = {}): ScoredItem {
  return { id: id(), type: 'yes_no', max_points: opts.points ?? 1, critical: opts.critical ?? false, options: [] };
}
function scaleItem(max: number, opts: { critical?: boolean } = {}): ScoredItem {
  return { id: id(), type: 'scale', max_points: max, critical: opts.critical ?? false, options: [] };
}
function choiceItem(points: number[], opts: { critical?: boolean } = {}): ScoredItem {
  return {
    id: id(),
    type: 'choice',
    max_points: Math.max(...points),
    critical: opts.critical ?? false,
    options: points.map((p) => ({ id: id(), points: p })),
  };
}
function sectionOf(weight: number, items: ScoredItem[], threshold: number | null = null) {
  return { id: id(), title: `Section ${nextId}`, weight, threshold, items };
}
function rubricOf(sections: ReturnType<typeof sectionOf>[], passThreshold = 75): ScoredRubric {
  return { pass_threshold: passThreshold, sections };
}
const optionWorth = (item: ScoredItem, points: number) => item.options.find((o) => o.points === points)!.id;

describe('the worked example of DOMAIN.md', () => {
  const greet = yesNo();
  const name = yesNo();
  const accurate = scaleItem(4);
  const policy = choiceItem([0, 2, 5]);
  const greeting = sectionOf(1, [greet, name]);
  const policySection = sectionOf(3, [accurate, policy]);
  const rubric = rubricOf([greeting, policySection]);
  const answers = { [greet.id]: 'yes', [name.id]: 'no', [accurate.id]: 3, [policy.id]: optionWorth(policy, 5) };

  test('Greeting is 50%, Policy 88.9% (8 of 9 points) and the overall 79.2%', () => {
    const result = computeScore(rubric, answers);
    expect(result.sections.map((s) => [s.earned, s.max])).toEqual([
      [1, 2],
      [8, 9],
    ]);
    expect(result.sections[0].score).toBe(50);
    expect(result.sections[1].score).toBeCloseTo((100 * 8) / 9, 6);
    expect(result.score).toBeCloseTo((50 * 1 + ((100 * 8) / 9) * 3) / 4, 6);
    expect(formatScore(result.sections[1].score)).toBe('88.9%');
    expect(formatScore(result.score)).toBe('79.2%');
  });

  test('passes the default 75% threshold with no critical item and lists the items short of full marks', () => {
    const result = computeScore(rubric, answers);
    expect(result.passed).toBe(true);
    expect(result.critical_failed).toBe(false);
    expect(result.raw_score).toBe(result.score);
    expect(result.failed_items).toEqual([name.id, accurate.id]);
  });
});

describe('N/A and unanswered items', () => {
  test('every item N/A gives no score at all: null, shown as "n/a", never 0 or 100', () => {
    const a = yesNo();
    const b = scaleItem(4);
    const rubric = rubricOf([sectionOf(1, [a]), sectionOf(2, [b])]);
    const result = computeScore(rubric, { [a.id]: 'na', [b.id]: 'na' });
    expect(result.score).toBeNull();
    expect(result.raw_score).toBeNull();
    expect(result.passed).toBeNull();
    expect(result.sections.every((s) => !s.included && s.score === null)).toBe(true);
    expect(formatScore(result.score)).toBe('n/a');
  });

  test('a section whose items are all N/A is left out of the weighting', () => {
    const kept = yesNo();
    const keptToo = yesNo();
    const na = yesNo();
    const rubric = rubricOf([sectionOf(1, [kept, keptToo]), sectionOf(9, [na])]);
    const result = computeScore(rubric, { [kept.id]: 'yes', [keptToo.id]: 'no', [na.id]: 'na' });
    // Counted as 0% with weight 9 it would be 5%; left out, the score is the first section's 50%.
    expect(result.score).toBe(50);
    expect(result.sections[1]).toMatchObject({ included: false, score: null, earned: 0, max: 0 });
  });

  test('an N/A item counts in neither earned nor possible points of its section', () => {
    const yes = yesNo();
    const na = yesNo({ points: 5 });
    const result = computeScore(rubricOf([sectionOf(1, [yes, na])]), { [yes.id]: 'yes', [na.id]: 'na' });
    expect(result.sections[0]).toMatchObject({ earned: 1, max: 1, score: 100 });
    expect(result.failed_items).toEqual([]);
  });

  test('unanswered items count like N/A in the live score, not as zero', () => {
    const answered = yesNo();
    const open = yesNo();
    const openScale = scaleItem(10);
    const rubric = rubricOf([sectionOf(1, [answered, open]), sectionOf(1, [openScale])]);
    const partial = computeScore(rubric, { [answered.id]: 'yes' });
    expect(partial.score).toBe(100);
    expect(partial.sections[1].included).toBe(false);
    expect(computeScore(rubric, {}).score).toBeNull();
  });
});

describe('critical items', () => {
  test('a failed critical yes/no makes the score 0 and keeps the uncapped score as the raw score', () => {
    const critical = yesNo({ critical: true });
    const others = [yesNo(), yesNo(), yesNo()];
    const rubric = rubricOf([sectionOf(1, [critical, ...others])]);
    const answers: Record<number, AnswerValue> = { [critical.id]: 'no' };
    for (const o of others) answers[o.id] = 'yes';
    const result = computeScore(rubric, answers);
    expect(result.score).toBe(0);
    expect(result.raw_score).toBe(75);
    expect(result.critical_failed).toBe(true);
    expect(result.passed).toBe(false);
    expect(result.critical_items).toEqual([critical.id]);
  });

  test('on a choice item, answering its lowest-scoring option is a critical fail, any other option is not', () => {
    const critical = choiceItem([3, 1, 5], { critical: true });
    const rubric = rubricOf([sectionOf(1, [critical])]);
    const lowest = computeScore(rubric, { [critical.id]: optionWorth(critical, 1) });
    expect(lowest.critical_failed).toBe(true);
    expect(lowest.score).toBe(0);
    expect(lowest.raw_score).toBe(20);
    const middle = computeScore(rubric, { [critical.id]: optionWorth(critical, 3) });
    expect(middle.critical_failed).toBe(false);
    expect(middle.score).toBe(60);
  });

  test('on a scale, 0 is a critical fail and 1 is not', () => {
    const critical = scaleItem(4, { critical: true });
    const other = yesNo();
    const rubric = rubricOf([sectionOf(1, [critical, other])], 0);
    const zero = computeScore(rubric, { [critical.id]: 0, [other.id]: 'yes' });
    expect(zero).toMatchObject({ critical_failed: true, score: 0, raw_score: 20, passed: false });
    const one = computeScore(rubric, { [critical.id]: 1, [other.id]: 'yes' });
    expect(one).toMatchObject({ critical_failed: false, score: 40, passed: true });
  });

  test('a critical item answered N/A fails nothing', () => {
    const critical = yesNo({ critical: true });
    const other = yesNo();
    const result = computeScore(rubricOf([sectionOf(1, [critical, other])]), {
      [critical.id]: 'na',
      [other.id]: 'yes',
    });
    expect(result).toMatchObject({ critical_failed: false, score: 100, passed: true });
  });
});

describe('points and weights', () => {
  test('a scale earns its value and a choice its option points, out of the best option', () => {
    const s = scaleItem(10);
    const c = choiceItem([0, 2, 5]);
    const rubric = rubricOf([sectionOf(1, [s]), sectionOf(1, [c])]);
    const result = computeScore(rubric, { [s.id]: 7, [c.id]: optionWorth(c, 2) });
    expect(result.sections.map((x) => x.score)).toEqual([70, 40]);
    expect(result.score).toBe(55);
  });

  test('a yes/no item worth more than one point earns all of them for Yes', () => {
    const heavy = yesNo({ points: 3 });
    const light = yesNo();
    const result = computeScore(rubricOf([sectionOf(1, [heavy, light])]), { [heavy.id]: 'yes', [light.id]: 'no' });
    expect(result.sections[0]).toMatchObject({ earned: 3, max: 4, score: 75 });
  });

  test('section weights decide how much each section counts', () => {
    const perfect = yesNo();
    const zero = yesNo();
    const answers = { [perfect.id]: 'yes', [zero.id]: 'no' };
    expect(computeScore(rubricOf([sectionOf(1, [perfect]), sectionOf(3, [zero])]), answers).score).toBe(25);
    expect(computeScore(rubricOf([sectionOf(3, [perfect]), sectionOf(1, [zero])]), answers).score).toBe(75);
    expect(computeScore(rubricOf([sectionOf(0.5, [perfect]), sectionOf(0.5, [zero])]), answers).score).toBe(50);
  });
});

describe('pass and fail', () => {
  test('a score exactly at the threshold passes', () => {
    const s = scaleItem(4);
    const result = computeScore(rubricOf([sectionOf(1, [s])], 75), { [s.id]: 3 });
    expect(result.score).toBe(75);
    expect(result.passed).toBe(true);
  });

  test('74.99 fails a 75% threshold and passes a 74.99% one', () => {
    const c = choiceItem([0, 7499, 10000]);
    const answers = { [c.id]: optionWorth(c, 7499) };
    const at75 = computeScore(rubricOf([sectionOf(1, [c])], 75), answers);
    expect(at75.score).toBe(74.99);
    expect(at75.passed).toBe(false);
    expect(computeScore(rubricOf([sectionOf(1, [c])], 74.99), answers).passed).toBe(true);
  });

  test('a section below its own threshold fails the scorecard even when the overall score passes', () => {
    const weak = [yesNo(), yesNo(), yesNo(), yesNo()];
    const strong = yesNo();
    const rubric = rubricOf([sectionOf(1, weak, 80), sectionOf(3, [strong])]);
    const answers: Record<number, AnswerValue> = { [strong.id]: 'yes', [weak[3].id]: 'no' };
    for (const item of weak.slice(0, 3)) answers[item.id] = 'yes';
    const result = computeScore(rubric, answers);
    expect(result.score).toBe(93.75);
    expect(result.sections[0]).toMatchObject({ score: 75, below_threshold: true });
    expect(result.sections[1].below_threshold).toBe(false);
    expect(result.passed).toBe(false);
    expect(result.critical_failed).toBe(false);
  });

  test('a section exactly at its own threshold is not below it', () => {
    const items = [yesNo(), yesNo(), yesNo(), yesNo()];
    const answers: Record<number, AnswerValue> = Object.fromEntries(items.map((i) => [i.id, 'yes']));
    answers[items[0].id] = 'no';
    const result = computeScore(rubricOf([sectionOf(1, items, 75)]), answers);
    expect(result.sections[0].below_threshold).toBe(false);
    expect(result.passed).toBe(true);
  });

  test('a section left out as N/A is never below its threshold', () => {
    const na = yesNo();
    const other = yesNo();
    const result = computeScore(rubricOf([sectionOf(1, [na], 90), sectionOf(1, [other])]), {
      [na.id]: 'na',
      [other.id]: 'yes',
    });
    expect(result.sections[0].below_threshold).toBe(false);
    expect(result.passed).toBe(true);
  });
});

describe('rounding', () => {
  test('scores are kept to 6 decimals and shown to one', () => {
    const items = [yesNo(), yesNo(), yesNo()];
    const rubric = rubricOf([sectionOf(1, items)]);
    const twoThirds = computeScore(rubric, { [items[0].id]: 'yes', [items[1].id]: 'yes', [items[2].id]: 'no' });
    expect(twoThirds.score).toBe(66.666667);
    expect(formatScore(twoThirds.score)).toBe('66.7%');
    const oneThird = computeScore(rubric, { [items[0].id]: 'yes', [items[1].id]: 'no', [items[2].id]: 'no' });
    expect(oneThird.score).toBe(33.333333);
    expect(formatScore(oneThird.score)).toBe('33.3%');
  });

  test('formatScore shows whole scores with one decimal and rounds to the nearest tenth', () => {
    expect(formatScore(0)).toBe('0.0%');
    expect(formatScore(100)).toBe('100.0%');
    expect(formatScore(79.166667)).toBe('79.2%');
    expect(formatScore(79.14)).toBe('79.1%');
    expect(formatScore(null)).toBe('n/a');
  });
});

// An independent reading of DOMAIN.md's formula, straight from the random case (no score-math helpers).
function reference(c: RubricCase) {
  let weighted = 0;
  let weights = 0;
  let critical = false;
  const sections: Array<{ pct: number | null; threshold: number | null }> = [];
  for (const s of c.sections) {
    let earned = 0;
    let possible = 0;
    for (const item of s.items) {
      if (item.answer.kind !== 'value') continue;
      const { pick } = item.answer;
      let got: number;
      let best: number;
      let lowest = 0;
      if (item.type === 'yes_no') {
        best = item.points;
        got = pick < 0.5 ? item.points : 0;
      } else if (item.type === 'scale') {
        best = item.max;
        got = Math.floor(pick * (item.max + 1));
      } else {
        best = Math.max(...item.options);
        lowest = Math.min(...item.options);
        got = item.options[Math.floor(pick * item.options.length)];
      }
      earned += got;
      possible += best;
      if (item.critical && got === lowest) critical = true;
    }
    const pct = possible > 0 ? (100 * earned) / possible : null;
    sections.push({ pct, threshold: s.threshold });
    if (pct !== null) {
      weighted += pct * s.weight;
      weights += s.weight;
    }
  }
  const raw = weights > 0 ? weighted / weights : null;
  return { raw, score: raw === null ? null : critical ? 0 : raw, critical, sections };
}

describe('property: random rubrics and answers', () => {
  test('the score is null or within 0..100 and equals an independent reading of the formula (within 1e-6)', () => {
    fc.assert(
      fc.property(rubricCase, (c) => {
        const { rubric, answers } = caseModel(c);
        const result = computeScore(rubric, answers);
        const expected = reference(c);
        if (expected.score === null) {
          expect(result.score).toBeNull();
          expect(result.raw_score).toBeNull();
          expect(result.passed).toBeNull();
          return;
        }
        expect(result.score).not.toBeNull();
        expect(result.score!).toBeGreaterThanOrEqual(0);
        expect(result.score!).toBeLessThanOrEqual(100);
        expect(Math.abs(result.score! - expected.score)).toBeLessThanOrEqual(1e-6);
        expect(Math.abs(result.raw_score! - expected.raw!)).toBeLessThanOrEqual(1e-6);
        expect(result.critical_failed).toBe(expected.critical);
        result.sections.forEach((s, i) => {
          const want = expected.sections[i].pct;
          expect(s.included).toBe(want !== null);
          if (want !== null) expect(Math.abs(s.score! - want)).toBeLessThanOrEqual(1e-6);
        });
        // Pass/fail is compared away from the thresholds, where rounding to 6 decimals cannot tip it.
        const clear = (a: number, b: number) => Math.abs(a - b) > 1e-5;
        const sectionsClear = expected.sections.every(
          (s) => s.pct === null || s.threshold === null || clear(s.pct, s.threshold),
        );
        if (clear(expected.raw!, c.pass_threshold) && sectionsClear) {
          const below = expected.sections.some((s) => s.pct !== null && s.threshold !== null && s.pct < s.threshold);
          expect(result.passed).toBe(!expected.critical && !below && expected.raw! >= c.pass_threshold);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('stored and shown through the app', () => {
  let ctx: TestContext;
  let org: Org;

  beforeAll(async () => {
    ctx = makeTestApp();
    org = await buildOrg(ctx.deps);
  });
  afterAll(async () => ctx.close());

  test('the worked example is stored as 79.166667 and shown on the scorecard as 79.2%', async () => {
    const rubric = await publishedRubric(ctx.deps, workedExampleRubric());
    const call = await makeCall(ctx.deps, org.admin, org.csrA);
    const client = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
    const res = await client.post('/api/v1/evaluations', {
      call_id: call.id,
      rubric_id: rubric.id,
      answers: workedExampleAnswers(rubric),
      submit: true,
    });
    expect(res.status).toBe(201);
    expect(res.body.score).toBe(79.166667);
    expect(res.body.raw_score).toBe(79.166667);
    expect(res.body.passed).toBe(true);
    expect(res.body.sections.map((s: { score: number }) => s.score)).toEqual([50, 88.888889]);
    const page = await (await signIn(ctx.app, org.supervisorA.username)).get(`/evaluations/${res.body.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('79.2%');
    expect(page.text).toContain('(50.0 × 1 + 88.9 × 3) ÷ 4 = 79.2');
    expect(page.text).not.toContain('79.166667');
  });

  test('a scorecard with every item N/A is stored without a score and shown as "n/a"', async () => {
    const rubric = await publishedRubric(ctx.deps, {
      name: 'All optional',
      pass_threshold: 75,
      sections: [
        { title: 'Hold', weight: 1, items: [{ prompt: 'Asked before hold', type: 'yes_no', allow_na: true }] },
      ],
    });
    const call = await makeCall(ctx.deps, org.admin, org.csrA);
    const client = api(ctx.app, await tokenFor(ctx.deps, org.supervisorA));
    const res = await client.post('/api/v1/evaluations', {
      call_id: call.id,
      rubric_id: rubric.id,
      answers: [{ item_id: rubric.sections[0].items[0].id, value: 'na' }],
      submit: true,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ score: null, raw_score: null, passed: null, critical_failed: false });
    expect(res.body.coaching_task_id).toBeNull();
    const page = await (await signIn(ctx.app, org.supervisorA.username)).get(`/evaluations/${res.body.id}`);
    expect(page.text).toMatch(/<span class="big">n\/a<\/span>/);
    expect(page.text).not.toMatch(/<span class="big">(0|100)\.0%<\/span>/);
  });
});
