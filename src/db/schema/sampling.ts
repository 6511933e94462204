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
}

export interface SamplingTables {
  sampling_plans: SamplingPlansTable;
  sampling_periods: SamplingPeriodsTable;
  sampling_picks: SamplingPicksTable;
}

export type SamplingPlan = Selectable<SamplingPlansTable>;
export type SamplingPeriodRow = Selectable<SamplingPeriodsTable>;
export type SamplingPick = Selectable<SamplingPicksTable>;
