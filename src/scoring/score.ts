import path from 'node:path';
import type { ItemType } from '../db/schema';
import { PROJECT_ROOT } from '../lib/paths';

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

interface ScoreMath {
  computeScore(rubric: ScoredRubric, answers: Record<number, AnswerValue | undefined>): ScoreResult;
  itemPoints(item: ScoredItem, value: AnswerValue | undefined): number | null;
  itemMax(item: ScoredItem): number;
}

// One implementation for server and browser: the page loads the same file from /static/js/.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const math = require(path.join(PROJECT_ROOT, 'static', 'js', 'score-math.js')) as ScoreMath;

export const computeScore = math.computeScore;
export const itemPoints = math.itemPoints;
export const itemMax = math.itemMax;

/** One decimal for people; "n/a" when every item was N/A (never 0 or 100). */
export function formatScore(score: number | null): string {
  return score === null ? 'n/a' : `${(Math.round(score * 10) / 10).toFixed(1)}%`;
}
