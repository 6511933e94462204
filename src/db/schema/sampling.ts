import type { ColumnType, Generated, Selectable } from 'kysely';

// Tables of the sampling feature (evaluation assignments). Kept in their own file; Database extends it.

export type SamplingPeriodKind = 'week' | 'month';

export interface SamplingPlansTable {
  id: Generated<number>;
  team_id: number;
  per_csr: number;
  period: SamplingPeriodKind;
  category: string | null;
  min_duration_s: number | null;
  direction: 'inbound' | 'outbound' | null;
  /** Percent of each CSR's picks drawn from flagged (risky) calls; 0 keeps the sample purely random. */
  risk_share_pct: ColumnType<number, number | undefined, number>;
  active: ColumnType<number, number | undefined, number>;
  created_by: number | null;
  created_at: string;
  updated_by: number | null;
  updated_at: string;
}

export interface SamplingPeriodsTable {
  id: Generated<number>;
  plan_id: number;
  period_key: string;
  starts_at: string;
  ends_at: string;
  seed: string;
  created_at: string;
}

export interface SamplingPicksTable {
  id: Generated<number>;
  period_id: number;
  team_id: number;
  csr_id: number;
  call_id: number | null;
  supervisor_id: number | null;
  seed: string;
  draw_index: number;
  candidate_count: number;
  position: number;
  candidates_sha256: string;
  picked_at: string;
  due_at: string;
  /** 1 when the pick was drawn from the CSR's flagged calls (the plan's risk share), else 0. */
  risk_based: ColumnType<number, number | undefined, number>;
}

export interface SamplingTables {
  sampling_plans: SamplingPlansTable;
  sampling_periods: SamplingPeriodsTable;
  sampling_picks: SamplingPicksTable;
}

export type SamplingPlan = Selectable<SamplingPlansTable>;
export type SamplingPeriodRow = Selectable<SamplingPeriodsTable>;
export type SamplingPick = Selectable<SamplingPicksTable>;
