import type { ColumnType, Generated, Selectable } from 'kysely';

// Calibration sessions and who scores in them.

export type BlindUntil = 'submitted' | 'closed';

export interface CalibrationSessionsTable {
  id: Generated<number>;
  call_id: number;
  rubric_id: number;
  team_id: number | null;
  title: string;
  expert_id: number | null;
  blind_until: ColumnType<BlindUntil, BlindUntil | undefined, BlindUntil>;
  status: ColumnType<'open' | 'closed', 'open' | 'closed' | undefined, 'open' | 'closed'>;
  created_by: number | null;
  created_at: string;
  closed_at: string | null;
  closed_by: number | null;
}

export interface CalibrationParticipantsTable {
  session_id: number;
  user_id: number;
  evaluation_id: number | null;
}

export type CalibrationSession = Selectable<CalibrationSessionsTable>;
