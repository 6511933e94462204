import type { ColumnType, Generated, Selectable } from 'kysely';

// Training courses, bookings, assignments and recommendations; recognition awards.

export type GroupRule = 'every_n_free' | 'percent_off';
export type AssignmentStatus = 'assigned' | 'in_progress' | 'completed';

export interface TrainingCoursesTable {
  id: Generated<number>;
  title: string;
  description: string | null;
  provider: string | null;
  duration_minutes: number | null;
  cost_cents: number;
  group_rule: GroupRule | null;
  group_n: number | null;
  group_min_seats: number | null;
  group_percent: number | null;
  retired_at: string | null;
  created_by: number | null;
  created_at: string;
}

export interface TrainingBookingsTable {
  id: Generated<number>;
  course_id: number;
  department_id: number;
  booked_by: number | null;
  seats: number;
  price_per_seat_cents: number;
  free_seats: ColumnType<number, number | undefined, number>;
  total_cents: number;
  period_key: string;
  due_at: string;
  over_budget: ColumnType<number, number | undefined, number>;
  idempotency_key: string | null;
  created_at: string;
}

export interface TrainingAssignmentsTable {
  id: Generated<number>;
  booking_id: number;
  csr_id: number;
  status: ColumnType<AssignmentStatus, AssignmentStatus | undefined, AssignmentStatus>;
  due_at: string;
  completed_at: string | null;
  confirmed_by: number | null;
  confirmed_at: string | null;
  created_at: string;
}

export interface TrainingRecommendationsTable {
  id: Generated<number>;
  coaching_task_id: number | null;
  csr_id: number;
  course_id: number;
  department_id: number;
  recommended_by: number | null;
  note: string | null;
  status: ColumnType<
    'pending' | 'approved' | 'declined',
    'pending' | 'approved' | 'declined' | undefined,
    'pending' | 'approved' | 'declined'
  >;
  decided_by: number | null;
  decided_at: string | null;
  decline_reason: string | null;
  booking_id: number | null;
  created_at: string;
}

export interface AwardsTable {
  id: Generated<number>;
  department_id: number;
  awarded_by: number | null;
  title: string;
  note: string | null;
  amount_cents: number;
  total_cents: number;
  period_key: string;
  over_budget: ColumnType<number, number | undefined, number>;
  idempotency_key: string | null;
  created_at: string;
}

export interface AwardRecipientsTable {
  award_id: number;
  csr_id: number;
}
export type TrainingCourse = Selectable<TrainingCoursesTable>;
export type TrainingBooking = Selectable<TrainingBookingsTable>;
