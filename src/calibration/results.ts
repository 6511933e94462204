import { answerLabel } from '../evaluations';
import type { FullItem, FullRubric } from '../rubrics';
import { combinedAlpha, krippendorffAlpha, readAlpha, type AlphaResult, type Level, type Value } from './agreement';

// A calibration session's results: each evaluator's score against the reference (the expert's score, or the
// mean when there is no expert), item-by-item agreement, and Krippendorff's alpha over items × evaluators
// (per item type at its level of measurement, and combined; docs/CALIBRATION.md).

export interface RaterInput {
  user_id: number;
  name: string;
  evaluation_id: number;
  score: number | null;
  critical_failed: boolean;
  comment: string | null;
}

export interface AnswerInput {
  evaluation_id: number;
  item_id: number;
  value: string;
  points: number | null;
  max_points: number | null;
}

export interface RaterResult extends RaterInput {
  is_expert: boolean;
  /** Score minus the reference score; null for the expert or when either score is missing. */
  deviation: number | null;
}

export interface AnswerCell {
  user_id: number;
  value: string | null;
  label: string;
  points: number | null;
  max_points: number | null;
  differs: boolean;
}

export interface ItemAgreement {
  item_id: number;
  section: string;
  prompt: string;
  cells: AnswerCell[];
  reference_label: string | null;
  /** Share of evaluators giving the reference answer (the expert's, else the most common one). */
  agreement: number | null;
  disagreement: boolean;
}

export interface SessionResults {
  raters: RaterResult[];
  reference: { kind: 'expert' | 'mean'; score: number | null } | null;
  items: ItemAgreement[];
  /** The session's one figure over every item type (sessionAlpha). */
  alpha: AlphaResult;
  alphaByType: TypeAlpha[];
  reading: ReturnType<typeof readAlpha>;
}

/**
 * The level of measurement of each item type for Krippendorff's alpha. Yes/No and choice answers are
 * categories (nominal): a choice's options are labelled alternatives, not points on a scale. A scale answer is
 * interval: the score counts it as value ÷ maximum points, so a one-point gap costs the same wherever it falls;
 * that is the interval metric, which ordinal would throw away.
 */
export const LEVEL_OF_ITEM_TYPE = { yes_no: 'nominal', choice: 'nominal', scale: 'interval' } as const satisfies Record<
  FullItem['type'],
  Level
>;

/**
 * An answer as a value for alpha. N/A (and no answer) is missing: it takes no part in any pair. Yes/No answers
 * share one pair of categories across items; a choice is its option (ids are unique, so never another item's);
 * a scale value is its share of the item's maximum ("3 of 4" is 0.75, as in the score), so scales of different
 * lengths sit on one interval from 0 to 1.
 */
export function alphaValueOf(item: FullItem, value: string | null): Value | null {
  if (value === null || value === 'na') return null;
  if (item.type === 'yes_no') return value;
  if (item.type === 'scale') return item.max_points > 0 ? Number(value) / item.max_points : null;
  return `option ${value}`;
}

export interface TypeAlpha {
  item_type: FullItem['type'];
  level: Level;
  result: AlphaResult;
}

/**
 * Alpha per item type at its level, and one figure for the session combining them (combinedAlpha: each type's
 * observed and expected disagreement weighted by its pairable values; with one item type, that type's alpha).
 */
export function sessionAlpha(rows: Array<{ item: FullItem; values: Array<string | null> }>) {
  const types = (['yes_no', 'choice', 'scale'] as const).filter((t) => rows.some((r) => r.item.type === t));
  const byType: TypeAlpha[] = types.map((type) => {
    const level = LEVEL_OF_ITEM_TYPE[type];
    const data = rows.filter((r) => r.item.type === type).map((r) => r.values.map((v) => alphaValueOf(r.item, v)));
    return { item_type: type, level, result: krippendorffAlpha(data, level) };
  });
  return { overall: combinedAlpha(byType.map((t) => t.result)), byType };
}

/** The most common value, or null when two or more share the top count. */
function modalValue(values: string[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const [top, next] = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  if (!top || (next && top[1] === next[1])) return null;
  return top[0];
}

function referenceScore(raters: RaterInput[], expert: RaterInput | undefined) {
  if (expert) return { kind: 'expert' as const, score: expert.score };
  const scores = raters.map((r) => r.score).filter((s): s is number => s !== null);
  if (scores.length < 2) return null;
  return { kind: 'mean' as const, score: scores.reduce((sum, s) => sum + s, 0) / scores.length };
}

function itemAgreement(
  item: FullItem,
  section: string,
  raters: RaterInput[],
  expert: RaterInput | undefined,
  byEvaluation: Map<number, Map<number, AnswerInput>>,
): ItemAgreement {
  const answerOf = (r: RaterInput) => byEvaluation.get(r.evaluation_id)?.get(item.id);
  const values = raters.map((r) => answerOf(r)?.value ?? null);
  const given = values.filter((v): v is string => v !== null);
  const reference = expert ? (answerOf(expert)?.value ?? null) : modalValue(given);
  const disagreement = new Set(given).size > 1;
  const judged = raters.flatMap((r) => {
    const answer = r === expert ? undefined : answerOf(r);
    return answer ? [answer] : [];
  });
  const matching = judged.filter((answer) => answer.value === reference).length;
  return {
    item_id: item.id,
    section,
    prompt: item.prompt,
    cells: raters.map((r) => {
      const answer = answerOf(r);
      const value = answer?.value ?? null;
      return {
        user_id: r.user_id,
        value,
        label: answerLabel(item, value),
        points: answer?.points ?? null,
        max_points: answer?.max_points ?? null,
        differs: value !== null && disagreement && (reference === null || value !== reference),
      };
    }),
    reference_label: reference === null ? null : answerLabel(item, reference),
    agreement: judged.length === 0 || reference === null ? null : matching / judged.length,
    disagreement,
  };
}

/** Each evaluator's score against the reference: the expert's score, or the mean of everyone's. */
export function scoreDeviations(raters: RaterInput[], expertId: number | null) {
  const expert = raters.find((r) => r.user_id === expertId);
  const reference = referenceScore(raters, expert);
  return {
    reference,
    raters: raters.map((r): RaterResult => ({
      ...r,
      is_expert: r === expert,
      deviation:
        r === expert || r.score === null || !reference || reference.score === null ? null : r.score - reference.score,
    })),
  };
}

/** Results over the submitted calibration scorecards only (the caller decides who may see them). */
export function sessionResults(
  rubric: FullRubric,
  raters: RaterInput[],
  answers: AnswerInput[],
  expertId: number | null,
): SessionResults {
  const expert = raters.find((r) => r.user_id === expertId);
  const byEvaluation = new Map<number, Map<number, AnswerInput>>();
  for (const a of answers) {
    const map = byEvaluation.get(a.evaluation_id) ?? new Map<number, AnswerInput>();
    map.set(a.item_id, a);
    byEvaluation.set(a.evaluation_id, map);
  }
  const rubricItems = rubric.sections.flatMap((s) => s.items.map((item) => ({ item, section: s.title })));
  const rows = rubricItems.map(({ item, section }) => ({
    item,
    agreement: itemAgreement(item, section, raters, expert, byEvaluation),
  }));
  const items = rows.map((row) => row.agreement);
  const alpha = sessionAlpha(
    rows.map(({ item, agreement }) => ({ item, values: agreement.cells.map((c) => c.value) })),
  );
  return {
    ...scoreDeviations(raters, expertId),
    items,
    alpha: alpha.overall,
    alphaByType: alpha.byType,
    reading: readAlpha(alpha.overall.alpha),
  };
}

export interface DriftRow {
  user_id: number;
  name: string;
  sessions: number;
  mean_abs: number;
  mean_signed: number;
  /** Signed deviations, oldest session first. */
  deviations: number[];
  /** Mean |deviation| of the later half minus the earlier half; null with fewer than 4 sessions. */
  trend: number | null;
  trend_label: 'drifting' | 'closer' | 'steady' | 'too few sessions';
}

/** Points of change in mean |deviation| between the halves that count as a trend rather than noise. */
export const DRIFT_POINTS = 2;

const mean = (xs: number[]) => xs.reduce((sum, x) => sum + x, 0) / xs.length;

/** Each evaluator's deviations across sessions (given oldest first): how far off on average, and whether drifting. */
export function driftByEvaluator(sessions: Array<{ raters: RaterResult[] }>): DriftRow[] {
  const byUser = new Map<number, { name: string; deviations: number[] }>();
  for (const session of sessions) {
    for (const r of session.raters) {
      if (r.deviation === null) continue;
      const entry = byUser.get(r.user_id) ?? { name: r.name, deviations: [] };
      entry.deviations.push(r.deviation);
      byUser.set(r.user_id, entry);
    }
  }
  return [...byUser.entries()]
    .map(([userId, { name, deviations }]) => {
      const abs = deviations.map(Math.abs);
      const half = Math.floor(abs.length / 2);
      const trend = abs.length >= 4 ? mean(abs.slice(-half)) - mean(abs.slice(0, half)) : null;
      const label: DriftRow['trend_label'] =
        trend === null
          ? 'too few sessions'
          : trend > DRIFT_POINTS
            ? 'drifting'
            : trend < -DRIFT_POINTS
              ? 'closer'
              : 'steady';
      return {
        user_id: userId,
        name,
        sessions: deviations.length,
        mean_abs: mean(abs),
        mean_signed: mean(deviations),
        deviations,
        trend,
        trend_label: label,
      };
    })
    .sort((a, b) => b.mean_abs - a.mean_abs);
}
