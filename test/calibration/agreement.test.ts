import { krippendorffAlphaNominal, readAlpha, type ReliabilityData } from '../../src/calibration/agreement';
import {
  categoryOf,
  driftByEvaluator,
  sessionResults,
  type AnswerInput,
  type RaterInput,
} from '../../src/calibration/results';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';

// Krippendorff's alpha (nominal) against published worked examples, its reading in plain words, and the
// session results and drift built on it.

/** Coders as rows (the way the paper prints them), turned into units × coders; null is a missing value. */
function byUnits(coders: Array<Array<number | null>>): ReliabilityData {
  return coders[0].map((_, unit) => coders.map((row) => (row[unit] === null ? null : String(row[unit]))));
}

describe("Krippendorff's alpha, nominal", () => {
  test('Krippendorff (2011) example C: 4 observers × 12 units with missing values is 0.743', () => {
    // "Computing Krippendorff's Alpha-Reliability", section C (nominal data, any number of observers, missing data).
    const data = byUnits([
      [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
      [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
      [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
      [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
    ]);
    const result = krippendorffAlphaNominal(data);
    expect(result.alpha).toBeCloseTo(0.743, 3);
    // Unit 12 has a single value, so it is not pairable: 11 units, 40 pairable values (the paper's n..).
    expect(result.units).toBe(11);
    expect(result.pairable).toBe(40);
  });

  test('Krippendorff (2011) example A: 2 observers, binary data, 10 units is 0.095', () => {
    const data = byUnits([
      [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
      [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
    ]);
    expect(krippendorffAlphaNominal(data).alpha).toBeCloseTo(0.095, 3);
  });

  test('perfect agreement (with variety across units) is exactly 1, missing values or not', () => {
    expect(
      krippendorffAlphaNominal([
        ['yes', 'yes', 'yes'],
        ['no', 'no', 'no'],
        ['3', null, '3'],
      ]).alpha,
    ).toBe(1);
  });

  test('systematic disagreement is below 0', () => {
    expect(
      krippendorffAlphaNominal([
        ['a', 'b'],
        ['b', 'a'],
      ]).alpha,
    ).toBeCloseTo(-0.5, 10);
  });

  test('which coder gave which value does not matter', () => {
    const data: ReliabilityData = [
      ['a', 'b', 'a'],
      ['c', 'c', null],
      ['b', 'b', 'a'],
    ];
    const swapped = data.map((unit) => [...unit].reverse());
    expect(krippendorffAlphaNominal(swapped).alpha).toBeCloseTo(krippendorffAlphaNominal(data).alpha!, 12);
  });

  test('undefined without variety or without any unit of two values', () => {
    expect(
      krippendorffAlphaNominal([
        ['yes', 'yes'],
        ['yes', 'yes'],
      ]).alpha,
    ).toBeNull();
    expect(
      krippendorffAlphaNominal([
        ['yes', null],
        [null, 'no'],
      ]),
    ).toEqual({ alpha: null, pairable: 0, units: 0 });
    expect(krippendorffAlphaNominal([]).alpha).toBeNull();
  });
});

describe('reading alpha in plain words (Krippendorff’s bands)', () => {
  test.each([
    [1, 'reliable'],
    [0.8, 'reliable'],
    [0.7999, 'tentative'],
    [0.667, 'tentative'],
    [0.6669, 'unreliable'],
    [-0.5, 'unreliable'],
    [null, 'undefined'],
  ])('%p is %s', (alpha, band) => {
    const reading = readAlpha(alpha);
    expect(reading.band).toBe(band);
    expect(reading.words.length).toBeGreaterThan(10);
  });
});

// A rubric of three items: yes/no, scale 0..4 (N/A allowed), choice of two options.
const rubric = {
  sections: [
    {
      id: 1,
      title: 'Only',
      weight: 1,
      threshold: null,
      items: [
        { id: 10, type: 'yes_no', prompt: 'Greeted', max_points: 1, options: [] },
        { id: 11, type: 'scale', prompt: 'Accuracy', max_points: 4, options: [] },
        {
          id: 12,
          type: 'choice',
          prompt: 'Policy',
          max_points: 5,
          options: [
            { id: 100, label: 'Followed', points: 5 },
            { id: 101, label: 'Ignored', points: 0 },
          ],
        },
      ],
    },
  ],
} as unknown as FullRubric;

function rater(userId: number, score: number | null): RaterInput {
  return {
    user_id: userId,
    name: `Rater ${userId}`,
    evaluation_id: userId * 10,
    score,
    critical_failed: false,
    comment: null,
  };
}

function answers(userId: number, values: [string, string, string]): AnswerInput[] {
  return values.map((value, i) => ({
    evaluation_id: userId * 10,
    item_id: 10 + i,
    value,
    points: null,
    max_points: null,
  }));
}

describe('session results', () => {
  const raters = [rater(1, 90), rater(2, 80), rater(3, 70)];
  const given = [
    ...answers(1, ['yes', '4', '100']),
    ...answers(2, ['yes', '3', '100']),
    ...answers(3, ['no', 'na', '101']),
  ];

  test('with an expert: deviations from the expert’s score, agreement with the expert’s answers', () => {
    const results = sessionResults(rubric, raters, given, 1);
    expect(results.reference).toEqual({ kind: 'expert', score: 90 });
    expect(results.raters.map((r) => [r.user_id, r.is_expert, r.deviation])).toEqual([
      [1, true, null],
      [2, false, -10],
      [3, false, -20],
    ]);
    const [greeted, accuracy, policy] = results.items;
    expect(greeted).toMatchObject({ reference_label: 'Yes', agreement: 0.5, disagreement: true });
    expect(greeted.cells.map((c) => [c.label, c.differs])).toEqual([
      ['Yes', false],
      ['Yes', false],
      ['No', true],
    ]);
    expect(accuracy.cells.map((c) => c.label)).toEqual(['4 of 4', '3 of 4', 'N/A']);
    expect(accuracy.agreement).toBe(0);
    expect(policy.cells.map((c) => c.label)).toEqual(['Followed', 'Followed', 'Ignored']);
  });

  test('without an expert: deviations from the mean, agreement with the most common answer', () => {
    const results = sessionResults(rubric, raters, given, null);
    expect(results.reference).toEqual({ kind: 'mean', score: 80 });
    expect(results.raters.map((r) => r.deviation)).toEqual([10, 0, -10]);
    expect(results.items[0]).toMatchObject({ reference_label: 'Yes', agreement: 2 / 3 });
    // "4", "3" and N/A: no majority, so every differing answer is highlighted.
    expect(results.items[1]).toMatchObject({ reference_label: null, agreement: null, disagreement: true });
    expect(results.items[1].cells.map((c) => c.differs)).toEqual([true, true, true]);
  });

  test('alpha treats N/A as missing, matching the statistic computed by hand', () => {
    const results = sessionResults(rubric, raters, given, null);
    const byHand = krippendorffAlphaNominal([
      ['yes', 'yes', 'no'],
      ['4 of 4', '3 of 4', null],
      ['option 100', 'option 100', 'option 101'],
    ]);
    expect(results.alpha).toEqual(byHand);
    expect(results.reading.band).toBe(readAlpha(byHand.alpha).band);
  });

  test('a scale value and an option id that happen to be equal are different categories', () => {
    const clash = [...answers(1, ['yes', '4', '100']), ...answers(2, ['yes', '4', '100'])];
    const scaleItem = rubric.sections[0].items[1];
    const choiceItem = rubric.sections[0].items[2];
    expect(categoryOf(scaleItem, '100')).not.toBe(categoryOf(choiceItem, '100'));
    expect(categoryOf(scaleItem, 'na')).toBeNull();
    expect(sessionResults(rubric, [rater(1, 100), rater(2, 100)], clash, null).alpha.alpha).toBe(1);
  });

  test('the same answers everywhere: every item agrees fully and nothing is highlighted', () => {
    const same = [...answers(1, ['yes', '4', '100']), ...answers(2, ['yes', '4', '100'])];
    const results = sessionResults(rubric, [rater(1, 100), rater(2, 100)], same, null);
    expect(results.items.every((i) => i.agreement === 1 && !i.disagreement)).toBe(true);
    expect(results.items.flatMap((i) => i.cells).some((c) => c.differs)).toBe(false);
    expect(results.raters.map((r) => r.deviation)).toEqual([0, 0]);
  });

  test('one scorecard and no expert: no reference to deviate from', () => {
    const results = sessionResults(rubric, [rater(1, 90)], answers(1, ['yes', '4', '100']), null);
    expect(results.reference).toBeNull();
    expect(results.raters[0].deviation).toBeNull();
    expect(results.alpha.alpha).toBeNull();
  });
});

describe('drift across sessions', () => {
  const session = (deviations: Record<number, number | null>) => ({
    raters: Object.entries(deviations).map(([id, deviation]) => ({
      ...rater(Number(id), 0),
      is_expert: deviation === null,
      deviation,
    })),
  });

  test('average |deviation|, average signed deviation, and who drifts away', () => {
    const rows = driftByEvaluator([
      session({ 1: 1, 2: -2, 3: null }),
      session({ 1: -1, 2: 2, 3: null }),
      session({ 1: 6, 2: -1, 3: null }),
      session({ 1: 8, 2: 1, 3: null }),
    ]);
    expect(rows.map((r) => [r.user_id, r.sessions, r.mean_abs, r.mean_signed, r.trend, r.trend_label])).toEqual([
      [1, 4, 4, 3.5, 6, 'drifting'],
      [2, 4, 1.5, 0, -1, 'steady'],
    ]);
    expect(rows[0].deviations).toEqual([1, -1, 6, 8]);
  });

  test('coming closer, and too few sessions to tell', () => {
    const rows = driftByEvaluator([
      session({ 1: 9, 2: 3 }),
      session({ 1: -8, 2: 1 }),
      session({ 1: 1 }),
      session({ 1: 0 }),
    ]);
    expect(rows.find((r) => r.user_id === 1)).toMatchObject({ trend: -8, trend_label: 'closer' });
    expect(rows.find((r) => r.user_id === 2)).toMatchObject({ trend: null, trend_label: 'too few sessions' });
  });
});
