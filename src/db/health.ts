import type { DB } from './database';

/** Answers once the database does: a read of one small table, for the health check. */
export async function checkDatabase(db: DB): Promise<void> {
  await db.selectFrom('settings').select('key').limit(1).execute();
}
