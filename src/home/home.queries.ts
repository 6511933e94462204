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

/** What the admin's guided start looks for: each step is done when the data shows it, never by a flag. */
export async function guidedStartFacts(db: Executor) {
  const [departments, teams, csrs, phoneCalls, rubrics] = await Promise.all([
    db.selectFrom('departments').select('id').limit(1).execute(),
    db.selectFrom('teams').select('id').limit(1).execute(),
    db.selectFrom('users').select('id').where('role', '=', 'csr').where('active', '=', 1).limit(1).execute(),
    // Calls the phone system sent (API, CSV or PBX import); the demo's calls do not count. Written as the two
    // ranges either side of 'demo', so each is a search of the (source, external_id) index: `source != 'demo'`
    // walked the whole index when every call was a demo call.
    db
      .selectFrom('calls')
      .select('id')
      .where((eb) => eb.or([eb('source', '<', 'demo'), eb('source', '>', 'demo')]))
      .limit(1)
      .execute(),
    db.selectFrom('rubrics').select('id').where('status', '=', 'published').limit(1).execute(),
  ]);
  return {
    org: departments.length > 0 && teams.length > 0,
    users: csrs.length > 0,
    phone: phoneCalls.length > 0,
    rubric: rubrics.length > 0,
  };
}

export async function guidedStartDismissed(db: Executor, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('guided_start_dismissals')
    .select('user_id')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function dismissGuidedStart(db: Executor, userId: number, now: string): Promise<void> {
  await db
    .insertInto('guided_start_dismissals')
    .values({ user_id: userId, dismissed_at: now })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .execute();
}
