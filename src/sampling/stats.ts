// How certain a CSR's average score is: the 95% confidence interval of the mean (Student's t) and how many
// more evaluations would bring it within ±MARGIN points.

export const MARGIN = 5;
/** Spread assumed when neither the CSR nor their team has two scores yet (points on the 0–100 scale). */
export const ASSUMED_SD = 15;
const Z_975 = 1.959963984540054;

export type SpreadBasis = 'own' | 'team' | 'assumed';

export interface Spread {
  sd: number;
  t: number;
  basis: SpreadBasis;
}

export interface Certainty {
  n: number;
  mean: number | null;
  sd: number | null;
  t: number | null;
  /** Half the width of the 95% interval, in points; null with fewer than 2 scores. */
  margin: number | null;
  low: number | null;
  high: number | null;
  /** Further evaluations for an interval within ±MARGIN: ceil((t × sd / MARGIN)²) − n, at least 0. */
  more_needed: number;
  basis: SpreadBasis;
}

export function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Sample standard deviation (n − 1). */
export function sampleSd(values: number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - 1));
}

// ln Γ(x) by Lanczos (g = 7, 9 terms): about 15 significant digits for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
] as const;

function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  const [first, ...terms] = LANCZOS;
  let sum = first;
  for (const [i, term] of terms.entries()) sum += term / (z + i + 1);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m += 1) {
    for (const numerator of [
      (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)),
      -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1)),
    ]) {
      d = 1 + numerator * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + numerator / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(a, b, x)) / a;
  return 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom, t ≥ 0. */
function tCdf(t: number, df: number): number {
  return 1 - 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** The two-sided 95% critical value t(0.975, df), by bisection on the t distribution's CDF. */
export function tCritical95(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError('Degrees of freedom must be a whole number ≥ 1.');
  let low = Z_975;
  let high = 13;
  for (let i = 0; i < 200 && high - low > 1e-12; i += 1) {
    const mid = (low + high) / 2;
    if (tCdf(mid, df) < 0.975) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** Evaluations needed in all for ±MARGIN with this spread: ceil((t × sd / MARGIN)²). */
export function evaluationsNeeded(spread: Pick<Spread, 'sd' | 't'>): number {
  // Rounded to 1e-9 first so a value that is whole in exact arithmetic does not tip over to the next one.
  return Math.ceil(Math.round(((spread.t * spread.sd) / MARGIN) ** 2 * 1e9) / 1e9);
}

/** The spread to plan with for someone with fewer than two scores: their team's, else an assumed one. */
export function fallbackSpread(teamScores: number[]): Spread {
  if (teamScores.length >= 2) {
    return { sd: sampleSd(teamScores), t: tCritical95(teamScores.length - 1), basis: 'team' };
  }
  return { sd: ASSUMED_SD, t: Z_975, basis: 'assumed' };
}

export function certaintyOf(scores: number[], fallback: Spread): Certainty {
  const n = scores.length;
  if (n < 2) {
    return {
      n,
      mean: n === 1 ? (scores[0] ?? null) : null,
      sd: null,
      t: null,
      margin: null,
      low: null,
      high: null,
      // Never fewer than the two scores an interval needs.
      more_needed: Math.max(evaluationsNeeded(fallback), 2) - n,
      basis: fallback.basis,
    };
  }
  const m = mean(scores);
  const sd = sampleSd(scores);
  const t = tCritical95(n - 1);
  const margin = (t * sd) / Math.sqrt(n);
  return {
    n,
    mean: m,
    sd,
    t,
    margin,
    low: m - margin,
    high: m + margin,
    more_needed: Math.max(evaluationsNeeded({ sd, t }) - n, 0),
    basis: 'own',
  };
}
