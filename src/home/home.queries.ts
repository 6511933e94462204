import { sql } from 'kysely';
import type { Executor } from '../db/transaction';
import { COACHING_ACTIVE } from '../policy';

/** The open coaching statuses as an SQL list for the subqueries below: ('open', 'scheduled'). */
const OPEN = sql.raw(`(${COACHING_ACTIVE.map((status) => `'${status}'`).join(', ')})`);

/** Active people per role (the admin's home). */
export function activeUserCountsByRole(db: Executor) {
  return db
    .selectFrom('users')
    .select(['role', sql<number>`count(*)`.as('n')])
    .where('active', '=', 1)
    .groupBy('role')
    .execute();
}

/** The teams with these ids, each with its open and overdue coaching tasks counted. */
export function teamsWithCoachingCounts(db: Executor, teamIds: number[], nowIso: string) {
  return db
    .selectFrom('teams')
    .select([
      'teams.id',
      'teams.name',
      'teams.department_id',
      sql<number>`(select count(*) from coaching_tasks where team_id = teams.id and status in ${OPEN})`.as(
        'open_coaching',
      ),
      sql<number>`(select count(*) from coaching_tasks where team_id = teams.id and status in ${OPEN} and due_at < ${nowIso})`.as(
        'overdue_coaching',
      ),
    ])
    .where('teams.id', 'in', teamIds)
    .execute();
}

/** The departments with these ids (none when empty). */
export async function departmentsWithIds(db: Executor, departmentIds: number[]) {
  return departmentIds.length
    ? db.selectFrom('departments').selectAll().where('id', 'in', departmentIds).execute()
    : [];
}
