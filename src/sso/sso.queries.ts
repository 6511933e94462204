import type { Executor } from '../db/transaction';
import type { NewUser } from '../db/schema';

/** A person made at their first single sign-on (when the admin allows it). */
export async function insertSsoUser(db: Executor, user: NewUser): Promise<number> {
  const row = await db.insertInto('users').values(user).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** Whether a username is taken, to pick a free one for a person made at sign-in. */
export async function usernameTaken(db: Executor, username: string): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
  return row !== undefined;
}
