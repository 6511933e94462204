import { sql, type SelectQueryBuilder } from 'kysely';
import { teamFilterOf, type ReportFilter } from './filters';

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
