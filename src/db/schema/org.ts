import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

// People and the organisation: users, departments, teams and who supervises them.

export type Role = 'admin' | 'manager' | 'supervisor' | 'csr';
export type BudgetPeriod = 'month' | 'quarter' | 'year';

export interface UsersTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  password_hash: string;
  role: Role;
  team_id: number | null;
  /** The phone extension a PBX's call records name (e.g. 1001 in PJSIP/1001-0000002a); unique when set. */
  extension: ColumnType<string | null, string | null | undefined, string | null>;
  /** The email address single sign-on matches (stored lower-case); unique when set. */
  email: ColumnType<string | null, string | null | undefined, string | null>;
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
export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type Department = Selectable<DepartmentsTable>;
export type Team = Selectable<TeamsTable>;
