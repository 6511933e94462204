import type { ReferenceExpression, SelectQueryBuilder } from 'kysely';
import { idsIn } from './ids';

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
