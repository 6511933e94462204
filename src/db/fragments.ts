import type { Insertable, ReferenceExpression, SelectQueryBuilder } from 'kysely';
import { idsIn } from './ids';
import type { Database } from './schema';
import type { Executor } from './transaction';

// Query fragments that several rooms' *.queries.ts share, typed against whatever query they are given.

/** The number of rows a query matches (`select count(*) as n` over its from, joins and wheres). */
export async function countRows<DB, TB extends keyof DB>(query: SelectQueryBuilder<DB, TB, object>): Promise<number> {
  const row = await query
    .select((eb) => eb.fn.countAll().as('n'))
    // Kysely cannot work out a selection over a generic DB; the row is exactly the count selected here.
    .$castTo<{ n: number | string | bigint }>()
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The query narrowed to rows whose team column is one of the scope's teams: 'all' leaves it as it is, an empty
 * scope matches no row (see idsIn).
 */
export function inTeams<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  column: ReferenceExpression<DB, TB>,
  teamIds: readonly number[] | 'all',
): SelectQueryBuilder<DB, TB, O> {
  return teamIds === 'all' ? query : query.where(column, 'in', idsIn(teamIds));
}

/** Rows per statement: at a dozen columns, well under either engine's bound on a statement's parameters. */
const ROWS_PER_INSERT = 500;

/** Inserts rows in as few statements as the engines' bound on parameters allows (none for no rows). */
export async function insertRows<T extends keyof Database & string>(
  db: Executor,
  table: T,
  rows: ReadonlyArray<Insertable<Database[T]>>,
): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    // Kysely cannot relate a generic table name to its row type; `rows` are typed as that table's rows above.
    await db
      .insertInto(table)
      .values(rows.slice(i, i + ROWS_PER_INSERT) as never)
      .execute();
  }
}
