// The score math of DOMAIN.md ("Score math (exact)"), in one typed source. The server imports it; `npm run
// build` also compiles it for the scoring page (static/build/score-math.js, window.ScoreMath), so the live
// score in the browser always equals the stored one. It imports types only, so the browser bundle is this file.

import type { ItemType } from '../db/schema';

export interface ScoredOption {
  id: number;
  points: number;
}

export interface ScoredItem {
  id: number;
  type: ItemType;
  max_points: number;
  critical: boolean;
  options: ScoredOption[];
}

export interface ScoredSection {
  id: number;
  title: string;
  weight: number;
  threshold: number | null;
  items: ScoredItem[];
}

export interface ScoredRubric {
  pass_threshold: number;
  sections: ScoredSection[];
}

export interface SectionScore {
  id: number;
  title: string;
  weight: number;
  threshold: number | null;
  score: number | null;
  earned: number;
  max: number;
  included: boolean;
  below_threshold: boolean;
}

export interface ScoreResult {
  score: number | null;
  raw_score: number | null;
  passed: boolean | null;
  critical_failed: boolean;
  sections: SectionScore[];
  failed_items: number[];
  critical_items: number[];
}

export type AnswerValue = string | number;
export type Answers = Readonly<Record<string, AnswerValue | null | undefined>>;

/** Scores are stored rounded to 6 decimals: exact enough to reproduce, and identical in every engine. */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** An item's maximum: its best option's points (yes/no and scale: max_points). */
export function itemMax(item: ScoredItem): number {
  if (item.type !== 'choice') return item.max_points;
  return item.options.reduce((best, o) => Math.max(best, o.points), 0);
}

function itemMin(item: ScoredItem): number {
  if (item.type !== 'choice') return 0;
  return item.options.reduce((low, o) => Math.min(low, o.points), Infinity);
}

/** Points earned for one answer, or null for N/A and unanswered items (they count in neither sum). */
export function itemPoints(item: ScoredItem, value: AnswerValue | null | undefined): number | null {
  if (value === undefined || value === null || value === '' || value === 'na') return null;
  if (item.type === 'yes_no') return value === 'yes' ? item.max_points : value === 'no' ? 0 : null;
  if (item.type === 'scale') {
    const n = Number(value);
    return Number.isInteger(n) && n >= 0 && n <= item.max_points ? n : null;
  }
  const option = item.options.find((o) => String(o.id) === String(value));
  return option ? option.points : null;
}

interface SectionTally {
  section: SectionScore;
  /** The section's percentage before rounding: the overall score is weighed from these, not the stored ones. */
  exact: number | null;
  failed: number[];
  critical: number[];
}

function scoreSection(section: ScoredSection, answers: Answers): SectionTally {
  let earned = 0;
  let max = 0;
  const failed: number[] = [];
  const critical: number[] = [];
  for (const item of section.items) {
    const points = itemPoints(item, answers[item.id]);
    if (points === null) continue;
    const best = itemMax(item);
    earned += points;
    max += best;
    if (points < best) failed.push(item.id);
    if (item.critical && points <= itemMin(item)) critical.push(item.id);
  }
  const included = max > 0;
  const exact = included ? (100 * earned) / max : null;
  const threshold = section.threshold ?? null;
  const below = exact !== null && threshold !== null && exact < threshold;
  const { id, title, weight } = section;
  return {
    section: {
      ...{ id, title, weight, threshold, earned, max, included },
      score: exact === null ? null : round6(exact),
      below_threshold: below,
    },
    exact,
    failed,
    critical,
  };
}

/** The scorecard's figures for these answers (keyed by item id), by DOMAIN.md's rules. */
export function computeScore(rubric: ScoredRubric, answers: Answers): ScoreResult {
  const tallies = rubric.sections.map((section) => scoreSection(section, answers));
  let weighted = 0;
  let weights = 0;
  for (const { section, exact } of tallies) {
    if (exact === null) continue;
    weighted += exact * section.weight;
    weights += section.weight;
  }
  const raw = weights > 0 ? round6(weighted / weights) : null;
  const criticalItems = tallies.flatMap((t) => t.critical);
  const criticalFailed = criticalItems.length > 0;
  const score = raw === null ? null : criticalFailed ? 0 : raw;
  const sectionFailed = tallies.some((t) => t.section.below_threshold);
  const passed = score === null ? null : score >= rubric.pass_threshold && !criticalFailed && !sectionFailed;
  return {
    score,
    raw_score: raw,
    passed,
    critical_failed: criticalFailed,
    sections: tallies.map((t) => t.section),
    failed_items: tallies.flatMap((t) => t.failed),
    critical_items: criticalItems,
  };
}
