import { sql } from 'kysely';
import type { DB } from '../db/database';

export async function listDepartments(db: DB, departmentIds?: number[]) {
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

export async function listTeams(db: DB, teamIds?: number[]) {
  let query = db
    .selectFrom('teams')
    .innerJoin('departments', 'departments.id', 'teams.department_id')
    .select([
      'teams.id',
      'teams.name',
      'teams.department_id',
      'departments.name as department_name',
      sql<string | null>`(select group_concat(u.display_name, ', ') from team_supervisors ts
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

export async function findTeam(db: DB, id: number) {
  return db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findDepartment(db: DB, id: number) {
  return db.selectFrom('departments').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function teamSupervisorUsernames(db: DB, teamId: number): Promise<string[]> {
  const rows = await db
    .selectFrom('team_supervisors')
    .innerJoin('users', 'users.id', 'team_supervisors.user_id')
    .select('users.username')
    .where('team_supervisors.team_id', '=', teamId)
    .execute();
  return rows.map((r) => r.username);
}

export async function usersByRole(db: DB, role: 'manager' | 'supervisor') {
  return db
    .selectFrom('users')
    .select(['id', 'username', 'display_name'])
    .where('role', '=', role)
    .where('active', '=', 1)
    .orderBy('display_name')
    .execute();
}
