export { computeScore, itemMax, itemPoints, round6 } from './score-math';
export type {
  AnswerValue,
  Answers,
  ScoreResult,
  ScoredItem,
  ScoredOption,
  ScoredRubric,
  ScoredSection,
  SectionScore,
} from './score-math';

/** One decimal for people; "n/a" when every item was N/A (never 0 or 100). */
export function formatScore(score: number | null): string {
  return score === null ? 'n/a' : `${(Math.round(score * 10) / 10).toFixed(1)}%`;
}
