import { agentsNeeded, erlangC, erlangServiceLevel } from '../../src/reports/erlang';

// Erlang C against published tables, with the figures worked out independently here (not copied from the code):
// traffic A = calls × AHT / interval = 100 × 180 / 1800 = 10 Erlangs. Erlang C's waiting probability
//   C(N, A) = [A^N/N! · N/(N−A)] / [Σ_{k<N} A^k/k! + A^N/N! · N/(N−A)]
// gives, by direct summation of the series (as printed in Erlang C tables for A = 10):
//   N = 13: Σ_{k<13} 10^k/k! = 17,435.19, 10^13/13! · 13/3 = 6,958.92 → C = 6,958.92 / 24,394.11 = 0.2853
//   N = 14: → C = 0.1741
// Service level = 1 − C · e^(−(N−A)·T/AHT) with T = 20 s:
//   N = 13: 1 − 0.2853 · e^(−3·20/180) = 1 − 0.2853 · 0.7165 = 0.7956 (below 80%)
//   N = 14: 1 − 0.1741 · e^(−4·20/180) = 1 − 0.1741 · 0.6412 = 0.8884
// so the classic "100 calls in 30 minutes, 180 s, 80/20" example needs 14 agents (13 give 79.6%), as the
// Erlang C tables and calculators that use this example print.

test('Erlang C waiting probability matches the published table values for 10 Erlangs', () => {
  expect(erlangC(13, 10)).toBeCloseTo(0.2853, 4);
  expect(erlangC(14, 10)).toBeCloseTo(0.1741, 4);
  expect(erlangC(11, 10)).toBeCloseTo(0.6821, 4);
});

test('service level by Erlang C: 13 agents give 79.6%, 14 give 88.8% (80/20, 180 s)', () => {
  expect(erlangServiceLevel(13, 10, 180, 20)).toBeCloseTo(0.7956, 4);
  expect(erlangServiceLevel(14, 10, 180, 20)).toBeCloseTo(0.8884, 4);
});

test('100 calls in 30 minutes at 180 s handle time need 14 agents for 80/20', () => {
  expect(agentsNeeded({ calls: 100, ahtS: 180, intervalS: 1800, target: 0.8, thresholdS: 20 })).toBe(14);
});

test('200 calls in 30 minutes at 240 s for 80/30 need 31 agents (A = 26.67; 30 give 71.8%, 31 give 81.4%)', () => {
  // A = 200 × 240 / 1800 = 26.667; C(31, 26.667) = 0.3206 → SL = 1 − 0.3206 · e^(−4.333·30/240) = 0.8135.
  expect(erlangServiceLevel(30, (200 * 240) / 1800, 240, 30)).toBeCloseTo(0.718, 3);
  expect(agentsNeeded({ calls: 200, ahtS: 240, intervalS: 1800, target: 0.8, thresholdS: 30 })).toBe(31);
});

test('no calls need no agents; an overloaded queue has no service level', () => {
  expect(agentsNeeded({ calls: 0, ahtS: 180, intervalS: 1800, target: 0.8, thresholdS: 20 })).toBe(0);
  expect(erlangServiceLevel(10, 10, 180, 20)).toBe(0);
  expect(erlangC(9, 10)).toBe(1);
});

test('agentsNeeded finds the same agents as trying each N from scratch, up to hundreds of agents', () => {
  // The search by definition: the first N above the traffic whose service level (a fresh Erlang C for each N)
  // meets the target. agentsNeeded steps Erlang B along instead; both must agree everywhere.
  const bySearch = (calls: number, ahtS: number, intervalS: number, target: number, thresholdS: number) => {
    const erlangs = (calls * ahtS) / intervalS;
    let n = Math.max(1, Math.floor(erlangs) + 1);
    while (erlangServiceLevel(n, erlangs, ahtS, thresholdS) < Math.min(target, 0.999999)) n += 1;
    return n;
  };
  let checked = 0;
  for (const calls of [1, 3, 17, 100, 480, 2500, 9000]) {
    for (const ahtS of [60, 245, 600]) {
      for (const [target, thresholdS] of [
        [0.8, 20],
        [0.9, 30],
        [0.95, 10],
        [1, 60],
      ] as const) {
        const input = { calls, ahtS, intervalS: 1800, target, thresholdS };
        expect({ input, n: agentsNeeded(input) }).toEqual({
          input,
          n: bySearch(calls, ahtS, 1800, target, thresholdS),
        });
        checked += 1;
      }
    }
  }
  expect(checked).toBe(84);
  // 9,000 calls of 600 s in 30 minutes is 3,000 Erlangs: the search goes past 3,000 agents.
  expect(agentsNeeded({ calls: 9000, ahtS: 600, intervalS: 1800, target: 0.8, thresholdS: 20 })).toBeGreaterThan(3000);
});
