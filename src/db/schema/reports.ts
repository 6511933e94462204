// Daily roll-ups the reports read, and the days a write left stale.

export interface RollupDirtyTable {
  kind: 'calls' | 'scores';
  day: string;
}

/** The service-level sums of inbound calls that both call roll-ups keep (against the row's `threshold_s`). */
export const SERVICE_LEVEL_SUMS = [
  'offered',
  'answered',
  'abandoned',
  'within_threshold',
  'wait_total',
  'hold_total',
] as const;
export type ServiceLevelSums = Record<(typeof SERVICE_LEVEL_SUMS)[number], number>;

/**
 * One row per local call day and team (0 = none): service level and CSAT sums, and the calls and scorecards per
 * category in `categories`, a JSON array of [category, calls, evaluations, scored, score_total] ('(none)' = none).
 */
export interface RollupTeamDayTable extends ServiceLevelSums {
  day: string;
  team_id: number;
  threshold_s: number;
  csat_n: number;
  csat_total: number;
  categories: string;
  /** Answered inbound waits as a JSON array of [seconds rounded up, calls] (3601: over an hour). */
  waits: string;
  /** Calls analysed (audio analysed, or a transcript): the base of the customer report's topic shares. */
  analysed: number;
}

/** One row per local day: rollup_team_day's categories summed over every team (20261217T0100_rollup_all_teams). */
export interface RollupCategoryDayTable {
  day: string;
  categories: string;
}

/** rollup_item_csat_day's sums per item and local day over every team (20261217T0100_rollup_all_teams). */
export interface RollupItemCsatTotalDayTable {
  item_id: number;
  day: string;
  n_passed: number;
  csat_passed: number;
  n_failed: number;
  csat_failed: number;
}

/**
 * One row per local submitted day and team (0 = none) of the counted standard scorecards: `items`, a JSON array of
 * [item_id, answered, failed], and the sums of those with a score (see SCORE_DAY_SUMS).
 */
export interface RollupScoreDayTable extends ScoreDaySums {
  day: string;
  team_id: number;
  items: string;
}

/** rollup_score_day over every team: its sums and items per local submitted day (20261217T0100_rollup_all_teams). */
export interface RollupScoreTotalDayTable extends ScoreDaySums {
  day: string;
  items: string;
}

/** The ten-point score bands: b0 counts 0 to under 10 … b9 counts 90 to 100. */
export const SCORE_BANDS = ['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7', 'b8', 'b9'] as const;

/**
 * The scorecard sums of rollup_score_day: those with a score, their total and sum of squares (a mean and its
 * interval), passes, critical fails, and the count in each score band.
 */
export const SCORE_DAY_SUMS = ['scored', 'score_total', 'score_squares', 'passed', 'critical', ...SCORE_BANDS] as const;
export type ScoreDaySums = Record<(typeof SCORE_DAY_SUMS)[number], number>;

/**
 * One row per CSR, local submitted day and team (0 = none) of the CSR's counted standard scorecards with a score:
 * the sums of rollup_score_day without the bands.
 */
export interface RollupScoreAgentDayTable {
  agent_id: number;
  day: string;
  team_id: number;
  scored: number;
  score_total: number;
  score_squares: number;
  passed: number;
  critical: number;
}

/** The same scorecards per evaluator, local submitted day and team: how many, their score total, time spent. */
export interface RollupScoreEvaluatorDayTable {
  evaluator_id: number;
  day: string;
  team_id: number;
  scored: number;
  score_total: number;
  time_total: number;
}

/** One row per CSR, local day a call started and team (0 = none) of the CSR's calls with a CSAT. */
export interface RollupCsatAgentDayTable {
  agent_id: number;
  day: string;
  team_id: number;
  csat_n: number;
  csat_total: number;
}

export interface RollupItemCsatDayTable {
  day: string;
  team_id: number;
  item_id: number;
  n_passed: number;
  csat_passed: number;
  n_failed: number;
  csat_failed: number;
}

/** Inbound call sums per 15-minute UTC slot (ISO text of its start) and team (0 = none). */
export interface RollupCallSlotTable extends ServiceLevelSums {
  slot: string;
  team_id: number;
  threshold_s: number;
  handle_total: number;
}

/** The same sums per 15-minute UTC slot over every team (team 0 included): what an all-team read needs. */
export type RollupCallSlotTotalTable = Omit<RollupCallSlotTable, 'team_id'>;

/**
 * The coverage report's roll-up: per period ('day': a local day; 'week': the local week starting that Monday),
 * rubric version, team (0 = none) and agent (0 = none) of the calls that started in it, their automatic
 * evaluations (evaluated; answered = at least one item answered) and `items`, a JSON array of
 * [item_id, answered, failed].
 */
export interface RollupCoverageTable {
  period: 'day' | 'week';
  day: string;
  rubric_id: number;
  team_id: number;
  agent_id: number;
  evaluated: number;
  answered: number;
  items: string;
}

/**
 * The coverage report's human side: per period, rubric version, team (0 = none) and agent (0 = none) of the calls
 * that started in it, the answers of their counted human scorecards: `answers`, a JSON array of
 * [item_id, value, count].
 */
export interface RollupCoverageHumanTable {
  period: 'day' | 'week';
  day: string;
  rubric_id: number;
  team_id: number;
  agent_id: number;
  answers: string;
}
