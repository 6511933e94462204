import { dueAtOf, periodAt, periodFromKey, plannedSoFar } from '../../src/sampling/period';
import { candidatesDigest, drawPosition, newSeed } from '../../src/sampling/random';
import { certaintyOf, evaluationsNeeded, fallbackSpread, sampleSd, tCritical95 } from '../../src/sampling/stats';
import { SEED } from './fixtures';

const at = (iso: string) => new Date(iso);

describe('periods', () => {
  test('a month runs from the first of the month to the first of the next (UTC)', () => {
    const p = periodAt('month', at('2026-11-23T09:00:00Z'), 'UTC');
    expect(p.key).toBe('2026-11');
    expect(p.start.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(p.end.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(dueAtOf(p)).toBe('2026-11-30T23:59:59.999Z');
    expect(periodAt('month', at('2026-12-31T23:59:59.999Z'), 'UTC').key).toBe('2026-12');
  });

  test.each([
    ['2026-11-23T09:00:00Z', '2026-W48', '2026-11-23', '2026-11-30'],
    ['2026-11-29T23:59:59Z', '2026-W48', '2026-11-23', '2026-11-30'],
    ['2026-01-01T12:00:00Z', '2026-W01', '2025-12-29', '2026-01-05'],
    ['2027-01-01T12:00:00Z', '2026-W53', '2026-12-28', '2027-01-04'],
    ['2024-12-30T00:00:00Z', '2025-W01', '2024-12-30', '2025-01-06'],
  ])('the ISO week of %s is %s (%s to %s)', (instant, key, start, end) => {
    const p = periodAt('week', at(instant), 'UTC');
    expect([p.key, p.start.toISOString().slice(0, 10), p.end.toISOString().slice(0, 10)]).toEqual([key, start, end]);
  });

  test('a key names its period, and anything else is not a period', () => {
    for (const key of ['2026-11', '2026-01', '2026-W01', '2026-W48', '2026-W53', '2025-W01']) {
      expect(periodFromKey(key, 'UTC')?.key).toBe(key);
    }
    expect(periodFromKey('2026-W48', 'UTC')?.start.toISOString()).toBe('2026-11-23T00:00:00.000Z');
    for (const key of ['2026-13', '2026-00', '2026-W00', '2026-W54', '2025-W53', 'november', '']) {
      expect(periodFromKey(key, 'UTC')).toBeNull();
    }
  });

  test('planned so far is ceil(N × elapsed fraction), from 0 at the start to N at the end', () => {
    const december = periodAt('month', at('2026-12-15T00:00:00Z'), 'UTC');
    expect(plannedSoFar(4, december, at('2026-11-30T00:00:00Z'))).toBe(0);
    expect(plannedSoFar(4, december, december.start)).toBe(0);
    expect(plannedSoFar(4, december, at('2026-12-01T00:00:00.001Z'))).toBe(1);
    // A quarter of 31 days is 7.75 days: the second pick is due just after it, not before.
    expect(plannedSoFar(4, december, at('2026-12-08T17:59:59.999Z'))).toBe(1);
    expect(plannedSoFar(4, december, at('2026-12-08T18:00:00.001Z'))).toBe(2);
    expect(plannedSoFar(4, december, at('2026-12-31T23:59:59.999Z'))).toBe(4);
    expect(plannedSoFar(4, december, at('2027-02-01T00:00:00Z'))).toBe(4);
    expect(plannedSoFar(100, december, at('2026-12-16T12:00:00Z'))).toBe(50);
  });
});

describe('the seeded draw', () => {
  test('matches HMAC-SHA256 as documented on the picks page (values from openssl)', () => {
    // printf 'csr:1:draw:0:try:0' | openssl dgst -sha256 -hmac <SEED> → f4ab0366…: 4104847206 mod 10 = 0
    expect(drawPosition(SEED, 1, 0, 10)).toBe(0);
    // printf 'csr:42:draw:3:try:0' | … → b7238e95…: 3072560789 mod 37 = 18
    expect(drawPosition(SEED, 42, 3, 37)).toBe(18);
  });

  test('a word at or above the largest multiple of the count is thrown away and the next try used', () => {
    // With 2^31 + 1 candidates, tries 0 to 3 of csr 1, draw 0 fall above 2^31 + 1; try 4 (737bc428…) is taken.
    expect(drawPosition(SEED, 1, 0, 2 ** 31 + 1)).toBe(1937490984);
  });

  test('is the same for the same seed, CSR and draw, and differs otherwise', () => {
    const draws = (seed: string) => Array.from({ length: 20 }, (_, i) => drawPosition(seed, 7, i, 1000));
    expect(draws(SEED)).toEqual(draws(SEED));
    expect(draws(SEED)).not.toEqual(draws('another seed'));
    expect(draws(SEED)).not.toEqual(Array.from({ length: 20 }, (_, i) => drawPosition(SEED, 8, i, 1000)));
  });

  test('every position is about equally likely', () => {
    const counts = new Array<number>(7).fill(0);
    for (let i = 0; i < 7000; i += 1) counts[drawPosition(SEED, 3, i, 7)] += 1;
    for (const count of counts) expect(Math.abs(count - 1000)).toBeLessThan(150);
  });

  test('refuses a draw from no candidates', () => {
    expect(() => drawPosition(SEED, 1, 0, 0)).toThrow(RangeError);
  });

  test('new seeds are 128 random bits and the candidate digest is a SHA-256 of the ordered ids', () => {
    expect(newSeed()).toMatch(/^[0-9a-f]{32}$/);
    expect(newSeed()).not.toBe(newSeed());
    // printf '1,2,3' | sha256sum
    expect(candidatesDigest([1, 2, 3])).toBe('8a6ae15122001229edb8866f56e342af12ae8187203c3e3b33931743e7c0c48d');
    expect(candidatesDigest([1, 2, 3])).not.toBe(candidatesDigest([3, 2, 1]));
  });
});

describe('how certain an average is', () => {
  test.each([
    [1, 12.7062],
    [2, 4.3027],
    [3, 3.1824],
    [4, 2.7764],
    [9, 2.2622],
    [29, 2.0452],
    [120, 1.9799],
  ])('t(0.975, %i) = %f', (df, expected) => {
    expect(tCritical95(df)).toBeCloseTo(expected, 4);
  });

  test('scores 70, 80, 90: mean 80, interval 55.2 to 104.8, 72 more for ±5', () => {
    const c = certaintyOf([70, 80, 90], fallbackSpread([]));
    expect(c.n).toBe(3);
    expect(c.mean).toBe(80);
    expect(c.sd).toBeCloseTo(10, 10);
    expect(c.t).toBeCloseTo(4.302653, 6);
    expect(c.margin).toBeCloseTo(24.8414, 4);
    expect(c.low).toBeCloseTo(55.1586, 4);
    expect(c.high).toBeCloseTo(104.8414, 4);
    // ceil((4.302653 × 10 / 5)²) = ceil(74.05) = 75, minus the 3 done
    expect(c.more_needed).toBe(72);
    expect(c.basis).toBe('own');
  });

  test('identical scores need no more evaluations; a wide spread needs many', () => {
    expect(certaintyOf([85, 85], fallbackSpread([])).more_needed).toBe(0);
    expect(certaintyOf([85, 85], fallbackSpread([])).margin).toBe(0);
    // sd 50, t(1) 12.706: ceil((12.706 × 50 / 5)²) = 16145, minus 2
    expect(certaintyOf([25, 95.71067811865476], fallbackSpread([])).more_needed).toBe(16145 - 2);
  });

  test("with fewer than two scores the team's spread is used, else an assumed 15 points", () => {
    const team = [60, 70, 80, 90]; // sd 12.9099, t(3) 3.1824: ceil(67.52) = 68
    expect(sampleSd(team)).toBeCloseTo(12.9099, 4);
    const one = certaintyOf([75], fallbackSpread(team));
    expect(one).toMatchObject({ n: 1, mean: 75, margin: null, low: null, more_needed: 67, basis: 'team' });
    expect(certaintyOf([], fallbackSpread(team))).toMatchObject({ n: 0, mean: null, more_needed: 68 });
    // 1.96 × 15 / 5 = 5.88, squared 34.57: 35 in all
    expect(certaintyOf([], fallbackSpread([90]))).toMatchObject({ more_needed: 35, basis: 'assumed' });
    expect(certaintyOf([90], fallbackSpread([90]))).toMatchObject({ more_needed: 34, basis: 'assumed' });
  });

  test('at least two scores are always asked for, even when the fallback spread is zero', () => {
    expect(certaintyOf([], fallbackSpread([80, 80])).more_needed).toBe(2);
    expect(certaintyOf([80], fallbackSpread([80, 80])).more_needed).toBe(1);
  });

  test('a whole number of evaluations is not rounded up by floating-point noise', () => {
    expect(evaluationsNeeded({ t: 2, sd: 5 })).toBe(4);
    expect(evaluationsNeeded({ t: 0.1 * 3, sd: 50 / 3 })).toBe(1);
  });
});
