import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

// The Database type kept in step with migrations/ (test/db/schema-check.test.ts compares them).

export type Role = 'admin' | 'manager' | 'supervisor' | 'csr';
export type BudgetPeriod = 'month' | 'quarter' | 'year';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  password_hash: string;
  role: Role;
  team_id: number | null;
  active: ColumnType<number, number | undefined, number>;
  created_at: string;
  updated_at: string;
}

export interface DepartmentsTable {
  id: Generated<number>;
  name: string;
  manager_id: number | null;
  budget_cents: ColumnType<number, number | undefined, number>;
  budget_period: ColumnType<BudgetPeriod, BudgetPeriod | undefined, BudgetPeriod>;
  created_at: string;
}

export interface TeamsTable {
  id: Generated<number>;
  name: string;
  department_id: number;
  created_at: string;
}

export interface TeamSupervisorsTable {
  team_id: number;
  user_id: number;
}

export interface SessionsTable {
  sid: string;
  user_id: number | null;
  data: string;
  expires_at: number;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_started_at: number;
  blocked_until: number | null;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor_id: number | null;
  action: string;
  entity_type: string | null;
  entity_id: number | null;
  details: string | null;
  ip: string | null;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export type Direction = 'inbound' | 'outbound';
export type RecordingStatus = 'stored' | 'missing' | 'deleted';

export interface CallsTable {
  id: Generated<number>;
  source: ColumnType<string, string | undefined, string>;
  external_id: string;
  agent_id: number | null;
  team_id: number | null;
  queue: string | null;
  started_at: string;
  direction: Direction;
  category: string | null;
  queue_wait_s: ColumnType<number, number | undefined, number>;
  hold_s: ColumnType<number, number | undefined, number>;
  duration_s: ColumnType<number, number | undefined, number>;
  csat: number | null;
  abandoned: ColumnType<number, number | undefined, number>;
  evaluation_count: ColumnType<number, number | undefined, number>;
  recording_status: RecordingStatus | null;
  recording_file: string | null;
  recording_original_name: string | null;
  recording_mime: string | null;
  recording_bytes: number | null;
  recording_sha256: string | null;
  recording_codec: string | null;
  recording_channels: number | null;
  recording_sample_rate: number | null;
  recording_duration_s: number | null;
  recording_deleted_at: string | null;
  transcript_format: 'vtt' | 'text' | null;
  transcript: string | null;
  created_by: number | null;
  created_at: string;
}

export interface Database {
  calls: CallsTable;
  users: UsersTable;
  departments: DepartmentsTable;
  teams: TeamsTable;
  team_supervisors: TeamSupervisorsTable;
  sessions: SessionsTable;
  login_throttle: LoginThrottleTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  settings: SettingsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type Department = Selectable<DepartmentsTable>;
export type Team = Selectable<TeamsTable>;
export type ApiToken = Selectable<ApiTokensTable>;
export type AuditEntry = Selectable<AuditLogTable>;
export type Call = Selectable<CallsTable>;
export type NewCall = Insertable<CallsTable>;
