// The scoring room's door: everything other rooms may use of it. Import "../scoring", never its files.
export { computeScore, formatScore, itemMax, itemPoints } from './score';
export type { AnswerValue, ScoreResult, ScoredRubric, SectionScore } from './score';
