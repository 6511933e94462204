// Inter-rater agreement: Krippendorff's alpha at the nominal level, computed from the coincidence matrix as
// in K. Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011). Units are rubric items, coders
// are evaluators, each answer value is a category, and N/A or no answer is a missing value.

/** One row per unit: each coder's value, or null when missing. */
export type ReliabilityData = Array<Array<string | null>>;

export interface AlphaResult {
  /** null when alpha is not defined: no unit with two values, or every value the same category. */
  alpha: number | null;
  /** Pairable values: those in units that have at least two. */
  pairable: number;
  /** Units with at least two values. */
  units: number;
}

export function krippendorffAlphaNominal(data: ReliabilityData): AlphaResult {
  // observed[c][k]: the coincidences of categories c and k, each unit weighted by 1 / (m_u − 1).
  const observed = new Map<string, Map<string, number>>();
  const add = (c: string, k: string, weight: number) => {
    const row = observed.get(c) ?? new Map<string, number>();
    row.set(k, (row.get(k) ?? 0) + weight);
    observed.set(c, row);
  };
  let units = 0;
  for (const unit of data) {
    const values = unit.filter((v): v is string => v !== null);
    const m = values.length;
    if (m < 2) continue;
    units += 1;
    values.forEach((c, i) =>
      values.forEach((k, j) => {
        if (i !== j) add(c, k, 1 / (m - 1));
      }),
    );
  }
  const totals = new Map<string, number>();
  let n = 0;
  for (const [c, row] of observed) {
    const total = [...row.values()].reduce((sum, v) => sum + v, 0);
    totals.set(c, total);
    n += total;
  }
  const pairable = Math.round(n);
  if (units === 0 || n <= 1) return { alpha: null, pairable, units };
  let disagreeing = 0;
  for (const [c, row] of observed) for (const [k, v] of row) if (c !== k) disagreeing += v;
  let expectedDisagreeing = 0;
  for (const [c, nc] of totals) for (const [k, nk] of totals) if (c !== k) expectedDisagreeing += nc * nk;
  if (expectedDisagreeing === 0) return { alpha: null, pairable, units };
  return { alpha: 1 - ((n - 1) * disagreeing) / expectedDisagreeing, pairable, units };
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
