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
