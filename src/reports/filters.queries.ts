import { sql, type SelectQueryBuilder } from 'kysely';
import { engineOf, weekStartSql } from '../db/dialect';
import type { Executor } from '../db/transaction';
import { teamFilterOf, type ReportFilter } from './filters';
import type { RollupDays } from './rollups';

/**
 * Narrows a report query to the filter's teams and, where the rows carry one, its agent: the same two terms
 * every report adds after its own. Columns are named as the query knows them ('calls.team_id', 'team_id').
 */
export function narrowedToFilter<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  filter: Pick<ReportFilter, 'teamIds' | 'agentId'>,
  columns: { team: string; agent?: string },
): SelectQueryBuilder<DB, TB, O> {
  let narrowed = query;
  const teams = teamFilterOf(filter);
  if (teams) narrowed = narrowed.where(sql.ref<number>(columns.team), 'in', teams);
  if (columns.agent && filter.agentId) narrowed = narrowed.where(sql.ref<number>(columns.agent), '=', filter.agentId);
  return narrowed;
}

/** A daily roll-up's rows for the whole days [fromDay, toDay) and the filter's teams (roll-ups keep no agent). */
export function inRollupDays<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  filter: Pick<ReportFilter, 'teamIds'>,
  { fromDay, toDay }: RollupDays,
): SelectQueryBuilder<DB, TB, O> {
  const days = query.where(sql.ref<string>('day'), '>=', fromDay).where(sql.ref<string>('day'), '<', toDay);
  return narrowedToFilter(days, filter, { team: 'team_id' });
}

/** SQL for the day or week (starting Monday) a timestamp column falls in. */
export function bucketSql(db: Executor, column: string, group: 'day' | 'week'): string {
  return group === 'day' ? `substr(${column}, 1, 10)` : weekStartSql(engineOf(db), column);
}

/** Sums of sums: each named column of a subquery of sums (`d`, days going into weeks), summed under its name. */
export function resummed<Name extends string>(table: string, names: readonly Name[]) {
  return names.map((name) => sql<number>`sum(${sql.ref(`${table}.${name}`)})`.as(name));
}
