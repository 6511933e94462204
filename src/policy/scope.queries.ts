import type { User } from '../db/schema';
import type { Executor } from '../db/transaction';

// The lookups the scope rules need: who manages which department, who supervises which team.

export async function managedDepartmentIds(db: Executor, managerId: number): Promise<number[]> {
  const rows = await db.selectFrom('departments').select('id').where('manager_id', '=', managerId).execute();
  return rows.map((r) => r.id);
}

export async function supervisedTeamIds(db: Executor, supervisorId: number): Promise<number[]> {
  const rows = await db.selectFrom('team_supervisors').select('team_id').where('user_id', '=', supervisorId).execute();
  return rows.map((r) => r.team_id);
}

export async function teamIdsOfDepartments(db: Executor, departmentIds: number[]): Promise<number[]> {
  if (departmentIds.length === 0) return [];
  const rows = await db.selectFrom('teams').select('id').where('department_id', 'in', departmentIds).execute();
  return rows.map((r) => r.id);
}

export async function findPerson(db: Executor, userId: number): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
}
