import {
  cohensKappa,
  isFailing,
  ruleAccuracy,
  wilsonInterval,
  type AccuracyItem,
  type AnswerPair,
} from '../../src/autoqa';

// The accuracy math against hand-computed tables, a published example, and an independent derivation of the
// standard error (the delta method, by numerical differentiation).

const yesNo: AccuracyItem = { type: 'yes_no', max_points: 1, options: [] };

/** Pairs giving a 2×2 table: rows the rule (fail, pass), columns the person (fail, pass). */
function pairs(bothFail: number, ruleOnly: number, humanOnly: number, neither: number): AnswerPair[] {
  const make = (count: number, rule: string, human: string) => Array.from({ length: count }, () => ({ rule, human }));
  return [
    ...make(bothFail, 'no', 'no'),
    ...make(ruleOnly, 'no', 'yes'),
    ...make(humanOnly, 'yes', 'no'),
    ...make(neither, 'yes', 'yes'),
  ];
}

/** The delta-method variance of kappa for a multinomial table, by central differences (independent of FCE). */
function deltaMethodSe(table: number[][]): number {
  const n = table.flat().reduce((a, b) => a + b, 0);
  const p = table.map((row) => row.map((x) => x / n));
  const kappaOf = (q: number[][]) => {
    const k = q.length;
    const rows = q.map((row) => row.reduce((a, b) => a + b, 0));
    const cols = q[0].map((_, j) => q.reduce((s, row) => s + row[j], 0));
    const po = q.reduce((s, row, i) => s + row[i], 0);
    let pe = 0;
    for (let i = 0; i < k; i += 1) pe += rows[i] * cols[i];
    return (po - pe) / (1 - pe);
  };
  const h = 1e-6;
  const grads = p.map((row, i) =>
    row.map((_, j) => {
      const up = p.map((r) => [...r]);
      const down = p.map((r) => [...r]);
      up[i][j] += h;
      down[i][j] -= h;
      return (kappaOf(up) - kappaOf(down)) / (2 * h);
    }),
  );
  let mean = 0;
  let square = 0;
  p.forEach((row, i) =>
    row.forEach((pij, j) => {
      mean += pij * grads[i][j];
      square += pij * grads[i][j] ** 2;
    }),
  );
  return Math.sqrt((square - mean ** 2) / n);
}

describe("Cohen's kappa", () => {
  test('the 50-proposal example (Wikipedia, "Cohen\'s kappa"): kappa 0.4, SE 0.1270', () => {
    // Both yes 20, A yes B no 5, A no B yes 10, both no 15. po = 35/50 = 0.7; A says yes 25/50 = 0.5, B 30/50 =
    // 0.6, pe = 0.5 × 0.6 + 0.5 × 0.4 = 0.5; kappa = (0.7 − 0.5) / (1 − 0.5) = 0.4.
    // FCE (1969) by hand, p = [[.4, .1], [.2, .3]], rows .5/.5, columns .6/.4, 1 − κ = .6:
    //   diagonal: .4 × (1 − 1.1 × .6)² + .3 × (1 − .9 × .6)² = .4 × .1156 + .3 × .2116 = .10972
    //   off-diagonal: .36 × (.1 × (.6 + .5)² + .2 × (.4 + .5)²) = .36 × (.121 + .162) = .10188
    //   minus (κ − pe(1 − κ))² = (.4 − .3)² = .01; over n(1 − pe)² = 50 × .25 = 12.5
    //   var = .2016 / 12.5 = .016128, SE = .126996
    const result = cohensKappa([
      [20, 5],
      [10, 15],
    ]);
    expect(result?.kappa).toBeCloseTo(0.4, 12);
    expect(result?.se).toBeCloseTo(0.126996, 6);
  });

  test('a 3 × 3 table by hand: kappa = (.89 − .66) / .34 = 0.6765', () => {
    // p = [[.75, .01, .04], [.05, .04, .01], [0, 0, .10]]; po = .89; rows .80/.10/.10, columns .80/.05/.15;
    // pe = .64 + .005 + .015 = .66.
    const table = [
      [75, 1, 4],
      [5, 4, 1],
      [0, 0, 10],
    ];
    const result = cohensKappa(table);
    expect(result?.kappa).toBeCloseTo(0.23 / 0.34, 12);
    expect(result?.se).toBeCloseTo(deltaMethodSe(table), 6);
  });

  test.each([
    {
      table: [
        [20, 5],
        [10, 15],
      ],
    },
    {
      table: [
        [3, 9],
        [14, 2],
      ],
    },
    {
      table: [
        [40, 1],
        [2, 7],
      ],
    },
  ])('the standard error equals the delta method’s for $table', ({ table }) => {
    expect(cohensKappa(table)?.se).toBeCloseTo(deltaMethodSe(table), 6);
  });

  test.each([
    [
      'no cases',
      [
        [0, 0],
        [0, 0],
      ],
    ],
    [
      'both raters constant',
      [
        [0, 0],
        [0, 12],
      ],
    ],
    [
      'one rater constant, the other not (kappa would be exactly 0)',
      [
        [0, 0],
        [3, 9],
      ],
    ],
    [
      'the other rater constant',
      [
        [4, 0],
        [7, 0],
      ],
    ],
  ])('undefined (null, "n/a", never 0) with %s', (_, table) => {
    expect(cohensKappa(table)).toBeNull();
  });
});

describe('ruleAccuracy', () => {
  test('n, agreement, precision, recall and kappa from one 2×2 table', () => {
    // Rule fails 12 (10 with the person), passes 18 (2 the person failed): n = 30, agreed 10 + 16 = 26.
    // precision 10/12, recall 10/12; rows .4/.6 and columns .4/.6: pe = .16 + .36 = .52,
    // kappa = (26/30 − .52) / .48 = 0.72222.
    const result = ruleAccuracy(yesNo, pairs(10, 2, 2, 16));
    expect(result).toMatchObject({
      n: 30,
      agreed: 26,
      same_answer: 26,
      table: { both_fail: 10, rule_only: 2, human_only: 2, neither: 16 },
      trusted: true,
    });
    expect(result.agreement).toBeCloseTo(26 / 30, 12);
    expect(result.precision).toBeCloseTo(10 / 12, 12);
    expect(result.recall).toBeCloseTo(10 / 12, 12);
    expect(result.kappa).toBeCloseTo((26 / 30 - 0.52) / 0.48, 12);
    expect(result.kappa_ci?.low).toBeLessThan(result.kappa ?? 0);
    expect(result.kappa_ci?.high).toBeGreaterThan(result.kappa ?? 1);
  });

  test('precision and recall can differ: the rule fails too many calls', () => {
    // Rule fails 15, the person 5 of them and 1 more: precision 5/15, recall 5/6.
    const result = ruleAccuracy(yesNo, pairs(5, 10, 1, 14));
    expect(result.precision).toBeCloseTo(1 / 3, 12);
    expect(result.recall).toBeCloseTo(5 / 6, 12);
  });

  test('trusted needs n ≥ 30 and kappa ≥ 0.6', () => {
    expect(ruleAccuracy(yesNo, pairs(10, 2, 1, 16)).trusted).toBe(false); // n = 29, kappa 0.79
    // n = 30: po = 22/30, rows and columns 1/3, pe = 5/9, kappa = (22/30 − 5/9) / (4/9) = 0.4
    const weak = ruleAccuracy(yesNo, pairs(6, 4, 4, 16));
    expect(weak.kappa).toBeCloseTo(0.4, 12);
    expect(weak.trusted).toBe(false);
  });

  test('a rule that never fails anyone has no kappa (n/a), whatever its agreement', () => {
    const result = ruleAccuracy(yesNo, pairs(0, 0, 3, 57));
    expect(result).toMatchObject({ n: 60, agreed: 57, kappa: null, kappa_ci: null, precision: null, trusted: false });
    expect(result.recall).toBe(0);
  });

  test('no pairs: nothing is defined', () => {
    expect(ruleAccuracy(yesNo, [])).toMatchObject({ n: 0, agreement: null, kappa: null, precision: null });
  });

  test('pairs where either side did not answer are left out; N/A does not fail', () => {
    const result = ruleAccuracy({ ...yesNo }, [
      { human: null, rule: 'no' },
      { human: 'no', rule: undefined },
      { human: 'maybe', rule: 'no' },
      { human: 'na', rule: 'yes' },
      { human: 'na', rule: 'no' },
      { human: 'no', rule: 'no' },
    ]);
    expect(result.table).toEqual({ both_fail: 1, rule_only: 1, human_only: 0, neither: 1 });
    expect(result.same_answer).toBe(1);
  });

  test('scale: below the maximum fails; agreement is on failing, the same answer counted apart', () => {
    const scale: AccuracyItem = { type: 'scale', max_points: 4, options: [] };
    expect(['0', '3', '4', 'na', '5', 'x'].map((v) => isFailing(scale, v))).toEqual([
      true,
      true,
      false,
      false,
      null,
      null,
    ]);
    const result = ruleAccuracy(scale, [
      { human: '3', rule: '2' },
      { human: '4', rule: '4' },
      { human: '4', rule: '3' },
    ]);
    expect([result.agreed, result.same_answer]).toEqual([2, 1]);
  });

  test('choice: an option worth less than the best one fails (two best options both pass)', () => {
    const choice: AccuracyItem = {
      type: 'choice',
      max_points: 0,
      options: [
        { id: 1, points: 3 },
        { id: 2, points: 3 },
        { id: 3, points: 1 },
        { id: 4, points: 0 },
      ],
    };
    expect(['1', '2', '3', '4', '5'].map((v) => isFailing(choice, v))).toEqual([false, false, true, true, null]);
  });
});

describe('Wilson interval', () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I, method 3 (score).
  test.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%d of %d: %f to %f', (x, n, low, high) => {
    const interval = wilsonInterval(x, n);
    expect(interval?.low).toBeCloseTo(low, 4);
    expect(interval?.high).toBeCloseTo(high, 4);
  });

  test('all successes reach 1, and nothing is known of 0 cases', () => {
    expect(wilsonInterval(20, 20)?.high).toBe(1);
    expect(wilsonInterval(20, 20)?.low).toBeCloseTo(1 - 0.1611, 4);
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});
