import {
  combinedAlpha,
  krippendorffAlpha,
  readAlpha,
  type Level,
  type ReliabilityData,
} from '../../src/calibration/agreement';
import {
  alphaValueOf,
  driftByEvaluator,
  LEVEL_OF_ITEM_TYPE,
  sessionResults,
  type AnswerInput,
  type RaterInput,
} from '../../src/calibration/results';
import type { FullRubric } from '../../src/rubrics/rubrics.queries';

// Krippendorff's alpha (nominal, ordinal, interval) against published worked examples, its reading in plain
// words, the session results (each item type at its level, N/A missing, one combined figure) and drift.

type Coders = Array<Array<number | null>>;

/** Coders as rows (the way the paper prints them), turned into units × coders; null is a missing value. */
function byUnits(coders: Coders): ReliabilityData {
  return coders[0].map((_, unit) => coders.map((row) => row[unit] ?? null));
}

const alphaOf = (coders: Coders, level: Level) => krippendorffAlpha(byUnits(coders), level).alpha;

// Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers × 12 units with
// missing values. The paper gives α = 0.743 (nominal), 0.815 (ordinal), 0.849 (interval).
const EXAMPLE_C: Coders = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
  [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
];

// Section A: 2 observers, binary data, 10 units: α = 0.095.
const EXAMPLE_A: Coders = [
  [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
  [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
];

// 3 coders × 15 units with missing values (Wikipedia's computational example), as tested by the python
// `krippendorff` package (pln-fing-udelar/fast-krippendorff, tests/test_krippendorff.py): nominal 0.691358,
// interval 0.810845.
const THREE_CODERS: Coders = [
  [null, null, null, null, null, 3, 4, 1, 2, 1, 1, 3, 3, null, 3],
  [1, null, 2, 1, 3, 3, 4, 3, null, null, null, null, null, null, null],
  [null, null, 2, 1, 3, 4, 4, null, 2, 1, 1, 3, 3, null, 4],
];

describe("Krippendorff's alpha against the published examples", () => {
  test('example C, nominal: 0.743 over 11 pairable units and 40 pairable values (unit 12 has one value)', () => {
    const result = krippendorffAlpha(byUnits(EXAMPLE_C), 'nominal');
    expect(result.alpha).toBeCloseTo(0.743, 3);
    expect(result.units).toBe(11);
    expect(result.pairable).toBe(40);
  });

  test('example C, ordinal: 0.815', () => {
    expect(alphaOf(EXAMPLE_C, 'ordinal')).toBeCloseTo(0.815, 3);
  });

  test('example C, interval: 0.849', () => {
    expect(alphaOf(EXAMPLE_C, 'interval')).toBeCloseTo(0.849, 3);
  });

  test('example A, binary nominal: 0.095', () => {
    expect(alphaOf(EXAMPLE_A, 'nominal')).toBeCloseTo(0.095, 3);
  });

  test('three coders with gaps: nominal 0.691358, interval 0.810845 (the python krippendorff package)', () => {
    expect(alphaOf(THREE_CODERS, 'nominal')).toBeCloseTo(0.691358, 6);
    expect(alphaOf(THREE_CODERS, 'interval')).toBeCloseTo(0.810845, 6);
  });
});

describe("Krippendorff's alpha, properties of each level", () => {
  test('perfect agreement (with variety across units) is exactly 1 at every level, missing values or not', () => {
    const data: ReliabilityData = [
      [1, 1, 1],
      [2, 2, 2],
      [3, null, 3],
    ];
    for (const level of ['nominal', 'ordinal', 'interval'] as const)
      expect(krippendorffAlpha(data, level).alpha).toBe(1);
  });

  test('systematic disagreement is below 0', () => {
    expect(
      krippendorffAlpha(
        [
          ['a', 'b'],
          ['b', 'a'],
        ],
        'nominal',
      ).alpha,
    ).toBeCloseTo(-0.5, 10);
  });

  test('which coder gave which value does not matter', () => {
    const data: ReliabilityData = [
      ['a', 'b', 'a'],
      ['c', 'c', null],
      ['b', 'b', 'a'],
    ];
    const swapped = data.map((unit) => [...unit].reverse());
    expect(krippendorffAlpha(swapped, 'nominal').alpha).toBeCloseTo(
      krippendorffAlpha(data, 'nominal').alpha ?? NaN,
      12,
    );
  });

  test('ordinal depends only on the order of the values; interval on their distances; nominal on neither', () => {
    const stretched = EXAMPLE_C.map((row) => row.map((v) => (v === null ? null : v ** 3)));
    expect(alphaOf(stretched, 'ordinal')).toBeCloseTo(alphaOf(EXAMPLE_C, 'ordinal') ?? NaN, 12);
    expect(alphaOf(stretched, 'nominal')).toBeCloseTo(alphaOf(EXAMPLE_C, 'nominal') ?? NaN, 12);
    expect(alphaOf(stretched, 'interval')).not.toBeCloseTo(alphaOf(EXAMPLE_C, 'interval') ?? NaN, 2);
    // Interval is unchanged by a change of unit (a scale read as a share of its maximum).
    const shares = EXAMPLE_C.map((row) => row.map((v) => (v === null ? null : v / 5)));
    expect(alphaOf(shares, 'interval')).toBeCloseTo(alphaOf(EXAMPLE_C, 'interval') ?? NaN, 12);
  });

  test('undefined without variety or without any unit of two values', () => {
    expect(
      krippendorffAlpha(
        [
          ['yes', 'yes'],
          ['yes', 'yes'],
        ],
        'nominal',
      ).alpha,
    ).toBeNull();
    expect(
      krippendorffAlpha(
        [
          ['yes', null],
          [null, 'no'],
        ],
        'nominal',
      ),
    ).toEqual({ alpha: null, pairable: 0, units: 0, observed: 0, expected: 0 });
    expect(krippendorffAlpha([], 'interval').alpha).toBeNull();
  });
});

describe('one figure over parts at different levels', () => {
  test('a single part is that part’s alpha', () => {
    const part = krippendorffAlpha(byUnits(EXAMPLE_C), 'interval');
    expect(combinedAlpha([part]).alpha).toBeCloseTo(part.alpha ?? NaN, 12);
  });

  test('two parts by hand: 1 − Σ n·D_o / Σ n·D_e = 4/7', () => {
    // Nominal (a,a), (a,b): n = 4, D_o = 2/4, D_e = 2·3·1 / (4·3) = 1/2, α = 0.
    const nominal = krippendorffAlpha(
      [
        ['a', 'a'],
        ['a', 'b'],
      ],
      'nominal',
    );
    // Interval (0,0), (1,1): n = 4, D_o = 0, D_e = 2·2·2·1 / (4·3) = 2/3, α = 1.
    const interval = krippendorffAlpha(
      [
        [0, 0],
        [1, 1],
      ],
      'interval',
    );
    expect([nominal.alpha, nominal.observed, nominal.expected]).toEqual([0, 0.5, 0.5]);
    expect(interval.alpha).toBe(1);
    expect(interval.expected).toBeCloseTo(2 / 3, 12);
    // (4·1/2 + 4·0) / (4·1/2 + 4·2/3) = 2 / (14/3) = 3/7.
    expect(combinedAlpha([nominal, interval]).alpha).toBeCloseTo(4 / 7, 12);
    expect(combinedAlpha([]).alpha).toBeNull();
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

  test('alpha: each item type at its level, N/A missing, matching the statistic computed by hand', () => {
    const results = sessionResults(rubric, raters, given, null);
    const yesNo = krippendorffAlpha([['yes', 'yes', 'no']], 'nominal');
    const scale = krippendorffAlpha([[1, 0.75, null]], 'interval');
    const choice = krippendorffAlpha([['option 100', 'option 100', 'option 101']], 'nominal');
    expect(results.alphaByType).toEqual([
      { item_type: 'yes_no', level: 'nominal', result: yesNo },
      { item_type: 'choice', level: 'nominal', result: choice },
      { item_type: 'scale', level: 'interval', result: scale },
    ]);
    expect(results.alpha).toEqual(combinedAlpha([yesNo, choice, scale]));
    expect(results.reading.band).toBe(readAlpha(results.alpha.alpha).band);
  });

  test('the level of each item type, and the value alpha reads from an answer', () => {
    expect(LEVEL_OF_ITEM_TYPE).toEqual({ yes_no: 'nominal', choice: 'nominal', scale: 'interval' });
    const [yesNo, scaleItem, choiceItem] = rubric.sections[0].items;
    expect(alphaValueOf(yesNo, 'no')).toBe('no');
    expect(alphaValueOf(scaleItem, '3')).toBe(0.75);
    expect(alphaValueOf(choiceItem, '100')).toBe('option 100');
    for (const item of [yesNo, scaleItem, choiceItem]) {
      expect(alphaValueOf(item, 'na')).toBeNull();
      expect(alphaValueOf(item, null)).toBeNull();
    }
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

// Sessions built from the published examples: the figure a session shows is Krippendorff's at each level.

/** A one-section rubric of `count` items of one type (scale 0..max, or yes/no), N/A allowed. */
function rubricOf(type: 'yes_no' | 'scale', count: number, max = 1): FullRubric {
  const items = Array.from({ length: count }, (_, i) => ({
    id: 1000 + i,
    type,
    prompt: `Item ${i + 1}`,
    max_points: max,
    allow_na: true,
    options: [],
  }));
  return { sections: [{ id: 1, title: 'Only', weight: 1, threshold: null, items }] } as unknown as FullRubric;
}

/** Each coder's answers as a scorecard: a missing value is N/A on odd units and no answer on even ones. */
function scorecards(coders: Coders, value: (v: number) => string) {
  const raters = coders.map((_, c) => rater(c + 1, null));
  const given: AnswerInput[] = coders.flatMap((row, c) =>
    row.flatMap((v, unit) => {
      if (v === null && unit % 2 === 0) return [];
      const answer = v === null ? 'na' : value(v);
      return [{ evaluation_id: (c + 1) * 10, item_id: 1000 + unit, value: answer, points: null, max_points: null }];
    }),
  );
  return { raters, given };
}

describe('session alpha on the published examples', () => {
  test('example A as 10 yes/no items × 2 evaluators: 0.095', () => {
    const { raters: r, given: g } = scorecards(EXAMPLE_A, (v) => (v === 1 ? 'yes' : 'no'));
    const results = sessionResults(rubricOf('yes_no', 10), r, g, null);
    expect(results.alpha.alpha).toBeCloseTo(0.095, 3);
    expect(results.alphaByType.map((t) => [t.item_type, t.level])).toEqual([['yes_no', 'nominal']]);
  });

  test('example C as 12 scale items (0..5) × 4 evaluators with N/A and gaps: the interval 0.849', () => {
    const { raters: r, given: g } = scorecards(EXAMPLE_C, String);
    const results = sessionResults(rubricOf('scale', 12, 5), r, g, null);
    expect(results.alpha.alpha).toBeCloseTo(0.849, 3);
    expect(results.alpha.pairable).toBe(40);
  });

  test('both in one session: each type keeps its published alpha; the session figure combines them', () => {
    const yesNo = scorecards(EXAMPLE_A, (v) => (v === 1 ? 'yes' : 'no'));
    const scale = scorecards(EXAMPLE_C, String);
    const a = rubricOf('yes_no', 10);
    const c = rubricOf('scale', 12, 5);
    // Renumber the scale items after the yes/no ones, in one rubric.
    const scaleItems = c.sections[0].items.map((item, i) => ({ ...item, id: 2000 + i }));
    const both = { sections: [a.sections[0], { ...c.sections[0], id: 2, items: scaleItems }] } as unknown as FullRubric;
    const given = [...yesNo.given, ...scale.given.map((answer) => ({ ...answer, item_id: answer.item_id + 1000 }))];
    const results = sessionResults(both, scale.raters, given, null);
    const [nominal, interval] = results.alphaByType.map((t) => t.result);
    expect(nominal.alpha).toBeCloseTo(0.095, 3);
    expect(interval.alpha).toBeCloseTo(0.849, 3);
    const expected =
      1 -
      (nominal.pairable * nominal.observed + interval.pairable * interval.observed) /
        (nominal.pairable * nominal.expected + interval.pairable * interval.expected);
    expect(results.alpha.alpha).toBeCloseTo(expected, 12);
    expect(results.alpha.alpha).toBeGreaterThan(0.095);
    expect(results.alpha.alpha).toBeLessThan(0.849);
  });
});
