// Small statistics for reports: the t-based 95% confidence interval of a mean, so an average over 3
// scorecards never looks as certain as one over 30.

// Two-sided 95% critical values of Student's t by degrees of freedom (1..30), then a few anchors.
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

// Beyond 30, anchors interpolated in 1/df, which is close to linear there (error under 0.001).
const ANCHORS: Array<[number, number]> = [
  [30, 2.042],
  [40, 2.021],
  [60, 2.0],
  [120, 1.98],
  [Infinity, 1.96],
];

export function t95(df: number): number {
  if (df < 1) return Number.NaN;
  if (df <= 30) return T95[Math.floor(df) - 1] ?? Number.NaN;
  for (const [i, [hiDf, hiT]] of ANCHORS.entries()) {
    const below = ANCHORS[i - 1];
    if (!below || df > hiDf) continue;
    const [loDf, loT] = below;
    const f = (1 / loDf - 1 / df) / (1 / loDf - (hiDf === Infinity ? 0 : 1 / hiDf));
    return loT + f * (hiT - loT);
  }
  return 1.96;
}

export interface MeanInterval {
  n: number;
  mean: number | null;
  sd: number | null;
  low: number | null;
  high: number | null;
  margin: number | null;
}

/** Mean and 95% interval from a count, a sum and a sum of squares (what SQL aggregates give). */
export function meanInterval(
  n: number,
  sum: number,
  sumSquares: number,
  clampTo: [number, number] = [0, 100],
): MeanInterval {
  if (n === 0) return { n, mean: null, sd: null, low: null, high: null, margin: null };
  const mean = sum / n;
  if (n === 1) return { n, mean, sd: null, low: null, high: null, margin: null };
  const variance = Math.max(0, (sumSquares - n * mean * mean) / (n - 1));
  const sd = Math.sqrt(variance);
  const margin = (t95(n - 1) * sd) / Math.sqrt(n);
  return { n, mean, sd, margin, low: Math.max(clampTo[0], mean - margin), high: Math.min(clampTo[1], mean + margin) };
}

/** A ratio, or null when there is nothing to divide (shown as "no calls", never 0%). */
export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}
