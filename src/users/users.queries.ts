import { countRows } from '../db/fragments';
import { sql } from 'kysely';
import type { NewUser, Role, User, UserUpdate } from '../db/schema';
import { equalsIgnoringCase, joinedText, likeIgnoringCase } from '../db/dialect';
import type { Executor } from '../db/transaction';
import type { TeamScope } from '../policy';

export async function findUserByUsername(db: Executor, username: string): Promise<User | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where(equalsIgnoringCase(db, 'username', username.trim()))
    .executeTakeFirst();
}

export async function findUserByExtension(db: Executor, extension: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('extension', '=', extension).executeTakeFirst();
}

/** The user with this email address (compared lower-case, as stored). */
export async function findUserByEmail(db: Executor, email: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
}

/** Every extension with its user's username and whether the account is active: a PBX import's agent lookup. */
export async function extensionDirectory(
  db: Executor,
): Promise<Array<{ extension: string; username: string; active: number }>> {
  const rows = await db
    .selectFrom('users')
    .select(['extension', 'username', 'active'])
    .where('extension', 'is not', null)
    .execute();
  return rows.flatMap((r) => (r.extension ? [{ extension: r.extension, username: r.username, active: r.active }] : []));
}

export async function findUserById(db: Executor, id: number): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertUser(db: Executor, values: NewUser): Promise<number> {
  const row = await db.insertInto('users').values(values).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateUserRow(db: Executor, id: number, values: UserUpdate): Promise<void> {
  await db.updateTable('users').set(values).where('id', '=', id).execute();
}

/**
 * Signs a person out everywhere. The users room ends sessions (on disabling, demoting, a new password) since
 * auth builds on users; auth's door passes this on under the same name.
 */
export async function endSessionsOfUser(db: Executor, userId: number): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

export async function countActiveAdmins(db: Executor): Promise<number> {
  return countRows(db.selectFrom('users').where('role', '=', 'admin').where('active', '=', 1));
}

export interface PeopleFilter {
  scope: TeamScope;
  role?: Role;
  q?: string;
  includeInactive: boolean;
}

export interface PersonRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  active: number;
  team_id: number | null;
  extension: string | null;
  team_name: string | null;
  department_name: string | null;
  supervised_teams: string | null;
}

/** People in scope: CSRs by their team, supervisors by the teams they supervise. */
export async function listPeople(db: Executor, filter: PeopleFilter): Promise<PersonRow[]> {
  let query = db
    .selectFrom('users')
    .leftJoin('teams', 'teams.id', 'users.team_id')
    .leftJoin('departments', 'departments.id', 'teams.department_id')
    .select([
      'users.id',
      'users.username',
      'users.display_name',
      'users.role',
      'users.active',
      'users.team_id',
      'users.extension',
      'teams.name as team_name',
      'departments.name as department_name',
      sql<string | null>`(select ${joinedText(db)}(t.name, ', ') from team_supervisors ts
        join teams t on t.id = ts.team_id where ts.user_id = users.id)`.as('supervised_teams'),
    ])
    .orderBy('users.display_name')
    .orderBy('users.id');
  if (!filter.scope.all) {
    const teamIds = filter.scope.teamIds;
    if (teamIds.length === 0) return [];
    query = query.where((eb) =>
      eb.or([
        eb('users.team_id', 'in', teamIds),
        eb.exists(
          eb
            .selectFrom('team_supervisors')
            .select('team_supervisors.team_id')
            .whereRef('team_supervisors.user_id', '=', 'users.id')
            .where('team_supervisors.team_id', 'in', teamIds),
        ),
      ]),
    );
  }
  if (filter.role) query = query.where('users.role', '=', filter.role);
  if (!filter.includeInactive) query = query.where('users.active', '=', 1);
  if (filter.q) {
    const like = `%${filter.q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    query = query.where(
      sql<boolean>`(users.username ${likeIgnoringCase(db)} ${like} escape '\\'
        or users.display_name ${likeIgnoringCase(db)} ${like} escape '\\')`,
    );
  }
  return query.execute();
}
