import type { ColumnType, Generated, Selectable } from 'kysely';

// Disputes of scorecard items.

export type DisputeReviewer = 'supervisor' | 'manager';
export type DisputeStatus = 'open' | 'upheld' | 'rescored';

export interface DisputesTable {
  id: Generated<number>;
  evaluation_id: number;
  csr_id: number;
  team_id: number | null;
  evaluator_id: number;
  assignee_id: number | null;
  status: ColumnType<DisputeStatus, DisputeStatus | undefined, DisputeStatus>;
  reason: string;
  score_before: number | null;
  score_after: number | null;
  opened_at: string;
  resolved_at: string | null;
  resolved_by: number | null;
  resolution_reason: string | null;
}

export interface DisputeItemsTable {
  dispute_id: number;
  item_id: number;
  value_before: string;
  points_before: number;
  max_points: number;
  value_after: string | null;
  points_after: number | null;
}
export type Dispute = Selectable<DisputesTable>;
