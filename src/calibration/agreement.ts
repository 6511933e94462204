// Inter-rater agreement: Krippendorff's alpha from the coincidence matrix, exactly as in K. Krippendorff,
// "Computing Krippendorff's Alpha-Reliability" (2011), at the nominal, ordinal and interval levels:
//
//   α = 1 − D_o / D_e = 1 − (n − 1) · Σ_c Σ_k o_ck · δ²_ck / Σ_c Σ_k n_c · n_k · δ²_ck
//
// o_ck counts the pairs of values c, k within units (each unit's pairs weighted 1 / (m_u − 1), m_u its number
// of values), n_c = Σ_k o_ck, n = Σ_c n_c the pairable values. Units with fewer than two values are left out.
// δ² is the level's difference function: nominal 0 when c = k, else 1; ordinal
// (Σ_{g from c to k} n_g − (n_c + n_k) / 2)²; interval (c − k)².

export type Level = 'nominal' | 'ordinal' | 'interval';

/** One value; ordinal and interval values are numbers. */
export type Value = string | number;

/** One row per unit: each coder's value, or null when missing. */
export type ReliabilityData = Array<Array<Value | null>>;

export interface AlphaResult {
  /** null when alpha is not defined: no unit with two values, or no expected disagreement (one value only). */
  alpha: number | null;
  /** Pairable values n: those in units that have at least two. */
  pairable: number;
  /** Units with at least two values. */
  units: number;
  /** D_o and D_e, the observed and expected disagreement (0 when nothing is pairable). */
  observed: number;
  expected: number;
}

interface Coincidences {
  /** The distinct pairable values, in order for ordinal and interval. */
  values: Value[];
  o: number[][];
  /** n_c per value. */
  totals: number[];
  n: number;
  units: number;
}

function coincidences(data: ReliabilityData, level: Level): Coincidences {
  const pairableUnits = data
    .map((unit) => unit.filter((v): v is Value => v !== null))
    .filter((values) => values.length >= 2);
  const distinct = [...new Set(pairableUnits.flat())];
  const values = level === 'nominal' ? distinct : distinct.sort((a, b) => Number(a) - Number(b));
  const index = new Map(values.map((v, i) => [v, i]));
  const o = values.map(() => values.map(() => 0));
  for (const unit of pairableUnits) {
    const weight = 1 / (unit.length - 1);
    unit.forEach((c, i) =>
      unit.forEach((k, j) => {
        const row = o[index.get(c) ?? -1];
        const ck = index.get(k) ?? -1;
        if (i !== j && row) row[ck] = (row[ck] ?? 0) + weight;
      }),
    );
  }
  const totals = o.map((row) => row.reduce((sum, x) => sum + x, 0));
  return { values, o, totals, n: totals.reduce((sum, x) => sum + x, 0), units: pairableUnits.length };
}

/** δ²_ck between the values at indexes c and k of the coincidence matrix. */
function differenceFunction(level: Level, matrix: Coincidences): (c: number, k: number) => number {
  const { values, totals } = matrix;
  const at = (list: number[], i: number) => list[i] ?? 0;
  if (level === 'nominal') return (c, k) => (c === k ? 0 : 1);
  if (level === 'interval') return (c, k) => (Number(values[c]) - Number(values[k])) ** 2;
  // Ordinal: the number of pairable values from rank c to rank k, each end counted half.
  const cumulative = [0];
  for (const total of totals) cumulative.push(at(cumulative, cumulative.length - 1) + total);
  return (c, k) => {
    const [low, high] = c <= k ? [c, k] : [k, c];
    const between = at(cumulative, high + 1) - at(cumulative, low);
    return (between - (at(totals, low) + at(totals, high)) / 2) ** 2;
  };
}

export function krippendorffAlpha(data: ReliabilityData, level: Level): AlphaResult {
  const matrix = coincidences(data, level);
  const { o, totals, n, units } = matrix;
  const pairable = Math.round(n);
  if (units === 0 || n <= 1) return { alpha: null, pairable, units, observed: 0, expected: 0 };
  const delta = differenceFunction(level, matrix);
  let observedSum = 0;
  let expectedSum = 0;
  totals.forEach((nc, c) =>
    totals.forEach((nk, k) => {
      const d = delta(c, k);
      observedSum += (o[c]?.[k] ?? 0) * d;
      expectedSum += nc * nk * d;
    }),
  );
  const observed = observedSum / n;
  const expected = expectedSum / (n * (n - 1));
  return { alpha: expected === 0 ? null : 1 - observed / expected, pairable, units, observed, expected };
}

/**
 * One figure over parts measured at their own levels (a session's yes/no, choice and scale items): each part's
 * disagreements weighted by its pairable values, α = 1 − Σ n_p · D_o,p / Σ n_p · D_e,p. With one part this is
 * that part's alpha; the parts' δ² share one range (nominal 0 or 1, interval on shares of the item's maximum,
 * 0..1), so no part outweighs another by its units. Undefined when no part has an expected disagreement.
 */
export function combinedAlpha(parts: AlphaResult[]): AlphaResult {
  const defined = parts.filter((p) => p.units > 0);
  const sum = (f: (p: AlphaResult) => number) => defined.reduce((total, p) => total + f(p), 0);
  const pairable = sum((p) => p.pairable);
  const observed = sum((p) => p.pairable * p.observed);
  const expected = sum((p) => p.pairable * p.expected);
  return {
    alpha: expected === 0 ? null : 1 - observed / expected,
    pairable,
    units: sum((p) => p.units),
    observed: pairable === 0 ? 0 : observed / pairable,
    expected: pairable === 0 ? 0 : expected / pairable,
  };
}

export type AlphaBand = 'reliable' | 'tentative' | 'unreliable' | 'undefined';

/** Krippendorff's own bands: α ≥ .800 reliable; .667 ≤ α < .800 for tentative conclusions only; below, not. */
export function readAlpha(alpha: number | null): { band: AlphaBand; words: string } {
  if (alpha === null) {
    return {
      band: 'undefined',
      words:
        'Not defined yet: it needs at least two evaluators answering the same items, and some variety in the answers.',
    };
  }
  if (alpha >= 0.8) return { band: 'reliable', words: 'Reliable: the evaluators apply the rubric the same way.' };
  if (alpha >= 0.667) {
    return {
      band: 'tentative',
      words: 'Tentative: good enough for tentative conclusions only; talk through the items where answers differ.',
    };
  }
  return {
    band: 'unreliable',
    words: 'Unreliable: the evaluators read the rubric differently; recalibrate before relying on their scores.',
  };
}
