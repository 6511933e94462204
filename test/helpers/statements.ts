import type { Statement } from 'better-sqlite3';
import { sqliteOf, type TestContext } from './app';

/** The SQL of every statement the app runs on this test database while `work` goes on. */
export async function statementsDuring(ctx: TestContext, work: () => Promise<unknown>): Promise<string[]> {
  const statement = Object.getPrototypeOf(sqliteOf(ctx.database).prepare('select 1')) as Statement;
  const seen: string[] = [];
  const spies = (['run', 'all', 'get', 'iterate'] as const).map((method) => {
    const original = statement[method];
    return jest.spyOn(statement, method).mockImplementation(function (this: Statement, ...params: unknown[]) {
      if (this.database === sqliteOf(ctx.database)) seen.push(this.source);
      return (original as (...args: unknown[]) => never).apply(this, params);
    });
  });
  try {
    await work();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return seen;
}

/** A row of SQLite's `explain query plan`. */
export interface PlanRow {
  id: number;
  parent: number;
  detail: string;
}

/**
 * The plan rows inside the merged arms of a query (the subqueries aliased `arm`, each one team's ordered, limited
 * read), and how many arms there are.
 */
export function insideArms(plan: PlanRow[]): { arms: number; rows: PlanRow[] } {
  const arms = plan.filter((p) => p.detail === 'CO-ROUTINE arm').map((p) => p.id);
  const inside = (node: { parent: number }): boolean => {
    if (arms.includes(node.parent)) return true;
    const parent = plan.find((p) => p.id === node.parent);
    return parent ? inside(parent) : false;
  };
  return { arms: arms.length, rows: plan.filter(inside) };
}

/** SQLite's plan for a statement the app ran, with its parameters (all null when only the shape matters). */
export function planOf(ctx: TestContext, text: string, params?: unknown[]): PlanRow[] {
  const bound = params ?? (text.match(/\?/g) ?? []).map(() => null);
  return sqliteOf(ctx.database)
    .prepare(`explain query plan ${text}`)
    .all(...bound) as PlanRow[];
}
