import { sql } from 'kysely';
import type { BudgetPeriod } from '../db/schema';
import { equalsIgnoringCase, joinedText } from '../db/dialect';
import type { Executor } from '../db/transaction';

export async function listDepartments(db: Executor, departmentIds?: number[]) {
  let query = db
    .selectFrom('departments')
    .leftJoin('users', 'users.id', 'departments.manager_id')
    .select([
      'departments.id',
      'departments.name',
      'departments.budget_cents',
      'departments.budget_period',
      'departments.manager_id',
      'users.display_name as manager_name',
      'users.username as manager_username',
    ])
    .orderBy('departments.name');
  if (departmentIds) {
    if (departmentIds.length === 0) return [];
    query = query.where('departments.id', 'in', departmentIds);
  }
  return query.execute();
}

export async function listTeams(db: Executor, teamIds?: number[]) {
  let query = db
    .selectFrom('teams')
    .innerJoin('departments', 'departments.id', 'teams.department_id')
    .select([
      'teams.id',
      'teams.name',
      'teams.department_id',
      'departments.name as department_name',
      sql<string | null>`(select ${joinedText(db)}(u.display_name, ', ') from team_supervisors ts
        join users u on u.id = ts.user_id where ts.team_id = teams.id)`.as('supervisor_names'),
      sql<number>`(select count(*) from users u where u.team_id = teams.id and u.role = 'csr' and u.active = 1)`.as(
        'csr_count',
      ),
    ])
    .orderBy('departments.name')
    .orderBy('teams.name');
  if (teamIds) {
    if (teamIds.length === 0) return [];
    query = query.where('teams.id', 'in', teamIds);
  }
  return query.execute();
}

export async function findTeam(db: Executor, id: number) {
  return db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findDepartment(db: Executor, id: number) {
  return db.selectFrom('departments').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function teamSupervisorUsernames(db: Executor, teamId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('team_supervisors')
    .innerJoin('users', 'users.id', 'team_supervisors.user_id')
    .select('users.username')
    .where('team_supervisors.team_id', '=', teamId)
    .execute();
  return rows.map((r) => r.username);
}

export async function usersByRole(db: Executor, role: 'manager' | 'supervisor') {
  return db
    .selectFrom('users')
    .select(['id', 'username', 'display_name'])
    .where('role', '=', role)
    .where('active', '=', 1)
    .orderBy('display_name')
    .execute();
}

/** A user's id, role and whether they are active, by username: who may be named a manager or supervisor. */
export async function findUserRole(db: Executor, username: string) {
  return db
    .selectFrom('users')
    .select(['id', 'role', 'active'])
    .where(equalsIgnoringCase(db, 'username', username))
    .executeTakeFirst();
}

export interface DepartmentValues {
  name: string;
  manager_id: number | null;
  budget_cents: number;
  budget_period: BudgetPeriod;
}

export async function insertDepartment(db: Executor, values: DepartmentValues, createdAt: string): Promise<number> {
  const row = await db
    .insertInto('departments')
    .values({ ...values, created_at: createdAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateDepartment(db: Executor, id: number, values: DepartmentValues): Promise<void> {
  await db.updateTable('departments').set(values).where('id', '=', id).execute();
}

export interface TeamValues {
  name: string;
  department_id: number;
}

export async function insertTeam(db: Executor, values: TeamValues, createdAt: string): Promise<number> {
  const row = await db
    .insertInto('teams')
    .values({ ...values, created_at: createdAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateTeam(db: Executor, id: number, values: TeamValues): Promise<void> {
  await db.updateTable('teams').set(values).where('id', '=', id).execute();
}

export async function clearTeamSupervisors(db: Executor, teamId: number): Promise<void> {
  await db.deleteFrom('team_supervisors').where('team_id', '=', teamId).execute();
}

export async function addTeamSupervisor(db: Executor, teamId: number, userId: number): Promise<void> {
  await db.insertInto('team_supervisors').values({ team_id: teamId, user_id: userId }).execute();
}

export async function setDepartmentManager(db: Executor, departmentId: number, userId: number): Promise<void> {
  await db.updateTable('departments').set({ manager_id: userId }).where('id', '=', departmentId).execute();
}

/** A person who is no longer a supervisor stops supervising every team. */
export async function dropSupervisedTeams(db: Executor, userId: number): Promise<void> {
  await db.deleteFrom('team_supervisors').where('user_id', '=', userId).execute();
}

/** A person who is no longer a manager stops managing every department. */
export async function dropManagedDepartments(db: Executor, userId: number): Promise<void> {
  await db.updateTable('departments').set({ manager_id: null }).where('manager_id', '=', userId).execute();
}
