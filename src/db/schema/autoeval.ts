import type { Generated, Selectable } from 'kysely';

// Automatic evaluations (a rubric in auto mode scoring every analysed call), kept apart from human scorecards,
// the queue of calls whose facts changed, and the daily sums the coverage report reads.

export interface AutoEvaluationsTable {
  id: Generated<number>;
  call_id: number;
  family_id: number;
  rubric_id: number;
  team_id: number | null;
  agent_id: number | null;
  /** The UTC day of the call's start (the roll-ups' day). */
  call_day: string;
  /** Items the rules answered, and of them the failed ones. */
  answered: number;
  failed: number;
  score: number | null;
  raw_score: number | null;
  passed: number | null;
  critical_failed: Generated<number>;
  evaluated_at: string;
}

export interface AutoEvaluationAnswersTable {
  auto_evaluation_id: number;
  item_id: number;
  value: string | null;
  failed: number | null;
  reason: string;
  evidence: string;
}

export interface AutoEvaluationQueueTable {
  call_id: number;
  queued_at: string;
}

export interface AutoItemDayTable {
  day: string;
  rubric_id: number;
  item_id: number;
  team_id: number;
  agent_id: number;
  answered: number;
  failed: number;
}

export interface AutoCallDayTable {
  day: string;
  rubric_id: number;
  team_id: number;
  agent_id: number;
  evaluated: number;
  answered: number;
}

export interface AutoEvalTables {
  auto_evaluations: AutoEvaluationsTable;
  auto_evaluation_answers: AutoEvaluationAnswersTable;
  auto_evaluation_queue: AutoEvaluationQueueTable;
  auto_item_day: AutoItemDayTable;
  auto_call_day: AutoCallDayTable;
}

export type AutoEvaluation = Selectable<AutoEvaluationsTable>;
