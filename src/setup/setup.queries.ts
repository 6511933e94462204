import { equalsIgnoringCase } from '../db/dialect';
import type { Executor } from '../db/transaction';
import type { NewCall, NewUser } from '../db/schema';

export async function departmentIdByName(db: Executor, name: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('departments')
    .select('id')
    .where(equalsIgnoringCase(db, 'name', name))
    .executeTakeFirst();
  return row?.id;
}

export async function insertDepartment(
  db: Executor,
  values: { name: string; budget_cents: number; budget_period: 'quarter'; created_at: string },
): Promise<number> {
  const row = await db.insertInto('departments').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function insertTeam(db: Executor, name: string, departmentId: number, now: string): Promise<number> {
  const row = await db
    .insertInto('teams')
    .values({ name, department_id: departmentId, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Inserts the person unless the user name is taken; returns the new id, or undefined when it was. */
export async function insertUserIfNew(db: Executor, values: NewUser): Promise<number | undefined> {
  const row = await db
    .insertInto('users')
    .values(values)
    .onConflict((oc) => oc.column('username').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function addTeamSupervisor(db: Executor, teamId: number, userId: number): Promise<void> {
  await db.insertInto('team_supervisors').values({ team_id: teamId, user_id: userId }).execute();
}

export async function setDepartmentManager(db: Executor, departmentId: number, managerId: number): Promise<void> {
  await db.updateTable('departments').set({ manager_id: managerId }).where('id', '=', departmentId).execute();
}

export async function usersByUsername(db: Executor, usernames: string[]) {
  return db.selectFrom('users').select(['id', 'username', 'team_id']).where('username', 'in', usernames).execute();
}

export async function insertDemoCall(db: Executor, values: NewCall): Promise<number> {
  const row = await db.insertInto('calls').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function firstPublishedRubricId(db: Executor): Promise<number | undefined> {
  const row = await db
    .selectFrom('rubrics')
    .select('id')
    .where('status', '=', 'published')
    .orderBy('id')
    .executeTakeFirst();
  return row?.id;
}

export async function teamSupervisorPairs(db: Executor) {
  return db.selectFrom('team_supervisors').select(['team_id', 'user_id']).execute();
}

/** Back-dates a demo scorecard, as if it had been scored over the past weeks. */
export async function backdateEvaluation(
  db: Executor,
  evaluationId: number,
  dates: { submitted_at: string; released_at: string; created_at: string; updated_at: string },
): Promise<void> {
  await db.updateTable('evaluations').set(dates).where('id', '=', evaluationId).execute();
}
