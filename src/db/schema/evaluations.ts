import type { ColumnType, Generated, Selectable } from 'kysely';

// Evaluations (scorecards), their answers and earlier revisions.

export type EvaluationStatus = 'draft' | 'submitted' | 'released' | 'acknowledged';

export interface EvaluationsTable {
  id: Generated<number>;
  call_id: number;
  rubric_id: number;
  agent_id: number;
  team_id: number | null;
  evaluator_id: number;
  kind: ColumnType<'standard' | 'calibration', 'standard' | 'calibration' | undefined, 'standard' | 'calibration'>;
  status: ColumnType<EvaluationStatus, EvaluationStatus | undefined, EvaluationStatus>;
  revision: ColumnType<number, number | undefined, number>;
  rescore_count: ColumnType<number, number | undefined, number>;
  score: number | null;
  raw_score: number | null;
  passed: number | null;
  critical_failed: ColumnType<number, number | undefined, number>;
  section_scores: ColumnType<string, string | undefined, string>;
  comment: string | null;
  time_spent_s: ColumnType<number, number | undefined, number>;
  created_at: string;
  updated_at: string;
  updated_by: number | null;
  submitted_at: string | null;
  release_due_at: string | null;
  released_at: string | null;
  acknowledged_at: string | null;
  ack_comment: string | null;
}

export interface EvaluationAnswersTable {
  evaluation_id: number;
  item_id: number;
  value: string;
  points: number | null;
  max_points: number | null;
  comment: string | null;
  at_s: number | null;
}

export interface EvaluationRevisionsTable {
  id: Generated<number>;
  evaluation_id: number;
  snapshot: string;
  reason: string;
  replaced_by: number | null;
  replaced_at: string;
}
export type Evaluation = Selectable<EvaluationsTable>;
