import type { ItemType } from '../db/schema';

// How well a rule agrees with the people who scored the same calls (DOMAIN.md, Automatic analysis).
//
// Each pair (the person's answer, the rule's answer) is classed as failing or not. The failing answer is the one
// DOMAIN.md calls a failed item: an answer that does not get full marks. yes_no: "no"; scale: any value below
// the maximum; choice: an option worth fewer points than the item's best option. N/A is an answer that does not
// fail. A pair where either side gave no answer is left out. Agreement, precision, recall and kappa all come
// from that one 2×2 table, so they always describe the same calls.

export interface AccuracyItem {
  type: ItemType;
  max_points: number;
  options: ReadonlyArray<{ id: number; points: number }>;
}

export interface AnswerPair {
  human: string | null | undefined;
  rule: string | null | undefined;
}

export interface Interval {
  low: number;
  high: number;
}

export interface Accuracy {
  /** Pairs where both the person and the rule answered. */
  n: number;
  /** Pairs where both fail the item or neither does. */
  agreed: number;
  /** Pairs with the very same answer (3 and 2 on a 0..4 scale both fail, but are not the same answer). */
  same_answer: number;
  agreement: number | null;
  /** Of the calls the rule failed, the share the person failed too; null when the rule failed none. */
  precision: number | null;
  /** Of the calls the person failed, the share the rule failed too; null when the person failed none. */
  recall: number | null;
  /** Null ("n/a") when n = 0 or one side failed every call or none: kappa says nothing then (see cohensKappa). */
  kappa: number | null;
  /** 95% interval: kappa ± 1.96 × the large-sample standard error of Fleiss, Cohen & Everitt (1969). */
  kappa_ci: Interval | null;
  /** [[both fail, rule only], [person only, neither]]: rows are the rule, columns the person. */
  table: { both_fail: number; rule_only: number; human_only: number; neither: number };
  trusted: boolean;
}

export const TRUST_MIN_N = 30;
export const TRUST_MIN_KAPPA = 0.6;
const Z95 = 1.959963984540054;

function itemMax(item: AccuracyItem): number {
  return item.type === 'choice' ? item.options.reduce((best, o) => Math.max(best, o.points), 0) : item.max_points;
}

/** Whether an answer fails the item; null for no answer or one the item cannot take. */
export function isFailing(item: AccuracyItem, value: string | null | undefined): boolean | null {
  if (value === null || value === undefined || value === '') return null;
  if (value === 'na') return false;
  if (item.type === 'yes_no') return value === 'no' ? true : value === 'yes' ? false : null;
  if (item.type === 'scale') {
    const n = Number(value);
    return Number.isInteger(n) && n >= 0 && n <= item.max_points ? n < item.max_points : null;
  }
  const option = item.options.find((o) => String(o.id) === value);
  return option ? option.points < itemMax(item) : null;
}

/**
 * Cohen's kappa of a square table of counts (rows: one rater, columns: the other) with the standard error of
 * Fleiss, Cohen & Everitt (1969), "Large sample standard errors of kappa and weighted kappa", for kappa ≠ 0:
 *   var = [Σi pii(1 − (pi. + p.i)(1 − κ))² + (1 − κ)² Σi≠j pij(p.i + pj.)² − (κ − pe(1 − κ))²] / (n(1 − pe)²)
 * Null ("n/a") when n = 0 or when one rater put every case in one category: chance agreement then equals
 * observed agreement whatever the other rater did, so kappa is 0 (or 0/0 when both did) and says nothing.
 */
export function cohensKappa(table: readonly (readonly number[])[]): { kappa: number; se: number } | null {
  const k = table.length;
  const n = table.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0);
  if (n === 0) return null;
  const p = table.map((row) => row.map((count) => count / n));
  const rows = p.map((row) => row.reduce((a, b) => a + b, 0));
  const cols = Array.from({ length: k }, (_, j) => p.reduce((sum, row) => sum + (row[j] ?? 0), 0));
  const cell = (i: number, j: number) => p[i]?.[j] ?? 0;
  const r = (i: number) => rows[i] ?? 0;
  const c = (i: number) => cols[i] ?? 0;
  let po = 0;
  let pe = 0;
  for (let i = 0; i < k; i += 1) {
    po += cell(i, i);
    pe += r(i) * c(i);
  }
  const constant = (total: number) => Math.abs(total - 1) < 1e-12;
  if (rows.some(constant) || cols.some(constant) || 1 - pe < 1e-12) return null;
  const kappa = (po - pe) / (1 - pe);
  let sum = 0;
  for (let i = 0; i < k; i += 1) {
    for (let j = 0; j < k; j += 1) {
      if (i === j) sum += cell(i, i) * (1 - (r(i) + c(i)) * (1 - kappa)) ** 2;
      else sum += (1 - kappa) ** 2 * cell(i, j) * (c(i) + r(j)) ** 2;
    }
  }
  const variance = (sum - (kappa - pe * (1 - kappa)) ** 2) / (n * (1 - pe) ** 2);
  return { kappa, se: Math.sqrt(Math.max(0, variance)) };
}

/** Wilson's 95% score interval for x successes out of n (Wilson 1927; Newcombe 1998, method 3); null for n = 0. */
export function wilsonInterval(x: number, n: number, z = Z95): Interval | null {
  if (n <= 0) return null;
  const p = x / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** The rule's accuracy on one item from the pairs of answers on the calls both answered. */
export function ruleAccuracy(item: AccuracyItem, pairs: Iterable<AnswerPair>): Accuracy {
  const table = { both_fail: 0, rule_only: 0, human_only: 0, neither: 0 };
  let same = 0;
  for (const pair of pairs) {
    const human = isFailing(item, pair.human);
    const rule = isFailing(item, pair.rule);
    if (human === null || rule === null) continue;
    if (pair.human === pair.rule) same += 1;
    if (rule && human) table.both_fail += 1;
    else if (rule) table.rule_only += 1;
    else if (human) table.human_only += 1;
    else table.neither += 1;
  }
  const n = table.both_fail + table.rule_only + table.human_only + table.neither;
  const agreed = table.both_fail + table.neither;
  const ruleFails = table.both_fail + table.rule_only;
  const humanFails = table.both_fail + table.human_only;
  const k = cohensKappa([
    [table.both_fail, table.rule_only],
    [table.human_only, table.neither],
  ]);
  const ci = k ? { low: Math.max(-1, k.kappa - Z95 * k.se), high: Math.min(1, k.kappa + Z95 * k.se) } : null;
  return {
    n,
    agreed,
    same_answer: same,
    agreement: n > 0 ? agreed / n : null,
    precision: ruleFails > 0 ? table.both_fail / ruleFails : null,
    recall: humanFails > 0 ? table.both_fail / humanFails : null,
    kappa: k ? k.kappa : null,
    kappa_ci: ci,
    table,
    trusted: n >= TRUST_MIN_N && k !== null && k.kappa >= TRUST_MIN_KAPPA,
  };
}
