import { sql } from 'kysely';
import type { DB } from './database';
import { engineOf } from './dialect';

/** Rows ANALYZE samples per index (SQLite's analysis_limit): approximate statistics in about half a second at 1M calls. */
export const ANALYSIS_LIMIT = 1000;

/**
 * Keeps SQLite's query-planner statistics (sqlite_stat1) current, as SQLite advises for a long-lived connection:
 * `PRAGMA optimize` analyses every table whose size changed a lot since it was last analysed (0x10000: all
 * tables, not only those this connection used). Without it an installation kept the statistics a migration
 * wrote when its tables were empty, and the planner chose by them: the call list's latest-scorecard query walked
 * a status index over every scorecard (124 ms at 1M calls) instead of looking up its 50 calls (0.1 ms).
 * PostgreSQL's autovacuum analyses on its own, so there this does nothing.
 */
export async function refreshPlannerStatistics(db: DB): Promise<void> {
  if (engineOf(db) !== 'sqlite') return;
  await sql.raw(`pragma analysis_limit = ${ANALYSIS_LIMIT}`).execute(db);
  await sql`pragma optimize = 0x10002`.execute(db);
}
