import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type * as CallsQueries from '../../src/calls/calls.queries';
import type * as CallsService from '../../src/calls/calls.service';
import type { Database, Role } from '../../src/db/schema';
import type { AppDeps } from '../../src/deps';
import type * as OrgQueries from '../../src/org/org.queries';
import type { AppUnderTest } from './app';
import { round, summarize } from './stats';

/** The app's own compiled modules (dist/), so the SQL is exactly what the measured server ran. */
function appModule<T>(app: AppUnderTest, file: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(app.dir, 'dist', 'src', file)) as T;
}

export interface ExplainCase {
  name: string;
  username: string;
  /** The query string the route receives. */
  query: Record<string, string>;
  /** true: the /calls page (list + count + teams + categories); false: GET /api/v1/calls (list only). */
  page: boolean;
}

export interface ExplainedQuery {
  sql: string;
  params: unknown[];
  plan: string[];
  /** Median of up to 5 runs (after one warm-up; fewer when slow) straight on SQLite, no HTTP or Kysely, ms. */
  medianMs: number;
  rows: number;
}

export interface ExplainedCase {
  name: string;
  username: string;
  queries: ExplainedQuery[];
  totalSqlMs: number;
}

/** EXPLAIN QUERY PLAN output as an indented tree, one line per step. */
export function queryPlan(sqlite: SQLite.Database, sql: string, params: unknown[]): string[] {
  const rows = sqlite.prepare(`explain query plan ${sql}`).all(...params) as Array<{
    id: number;
    parent: number;
    detail: string;
  }>;
  const depth = new Map<number, number>([[0, -1]]);
  return rows.map((row) => {
    const d = (depth.get(row.parent) ?? -1) + 1;
    depth.set(row.id, d);
    return `${'  '.repeat(d)}${row.detail}`;
  });
}

/**
 * Runs the same service functions the call-list routes run, against a copy of the benchmark database, with
 * a Kysely logger that captures each SQL statement; then plans and times every statement on its own. This
 * shows which statement costs what and why (index or scan), without guessing the SQL Kysely generates.
 */
export async function explainCallList(
  app: AppUnderTest,
  dbFile: string,
  cases: ExplainCase[],
): Promise<ExplainedCase[]> {
  const { searchCalls } = appModule<typeof CallsService>(app, 'calls/calls.service.js');
  const { distinctCategories } = appModule<typeof CallsQueries>(app, 'calls/calls.queries.js');
  const { listTeams } = appModule<typeof OrgQueries>(app, 'org/org.queries.js');
  const sqlite = new SQLite(dbFile, { readonly: true, fileMustExist: true });
  const captured: Array<{ sql: string; params: unknown[] }> = [];
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: sqlite }),
    log(event) {
      if (event.level === 'query') captured.push({ sql: event.query.sql, params: [...event.query.parameters] });
    },
  });
  const deps = { db } as unknown as AppDeps;
  const results: ExplainedCase[] = [];
  try {
    for (const c of cases) {
      const user = sqlite.prepare('select id, role from users where username = ?').get(c.username) as
        { id: number; role: Role } | undefined;
      if (!user) throw new Error(`no user ${c.username}`);
      captured.length = 0;
      const actor = { id: user.id, role: user.role };
      const result = await searchCalls(deps, actor, c.query, c.page);
      if (c.page) {
        await listTeams(db, result.scope.all ? undefined : result.scope.teamIds);
        await distinctCategories(db);
      }
      const queries = captured.map(({ sql, params }) => {
        const stmt = sqlite.prepare(sql);
        const times: number[] = [];
        let rows = stmt.all(...params).length; // warm the page cache
        const budget = performance.now() + 3000;
        while (times.length < 5 && (times.length === 0 || performance.now() < budget)) {
          const started = performance.now();
          rows = stmt.all(...params).length;
          times.push(performance.now() - started);
        }
        return { sql, params, plan: queryPlan(sqlite, sql, params), medianMs: summarize(times).median, rows };
      });
      results.push({
        name: c.name,
        username: c.username,
        queries,
        totalSqlMs: round(queries.reduce((sum, q) => sum + q.medianMs, 0)),
      });
    }
  } finally {
    await db.destroy();
  }
  return results;
}
