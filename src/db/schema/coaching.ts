import type { ColumnType, Generated, Selectable } from 'kysely';

// Coaching tasks opened by failing scorecards.

export type CoachingStatus = 'open' | 'scheduled' | 'completed' | 'acknowledged' | 'cancelled';

export interface CoachingTasksTable {
  id: Generated<number>;
  csr_id: number;
  assignee_id: number | null;
  team_id: number | null;
  evaluation_id: number | null;
  parent_task_id: number | null;
  status: ColumnType<CoachingStatus, CoachingStatus | undefined, CoachingStatus>;
  focus: ColumnType<string, string | undefined, string>;
  due_at: string;
  scheduled_at: string | null;
  completed_at: string | null;
  notes: string | null;
  actions: string | null;
  acknowledged_at: string | null;
  cancelled_at: string | null;
  cancel_note: string | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}
export type CoachingTask = Selectable<CoachingTasksTable>;
