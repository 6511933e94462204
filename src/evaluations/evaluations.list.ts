import type { z } from 'zod';
import type { AppDeps } from '../deps';
import { teamScope, type Actor } from '../policy';
import { CSR_VISIBLE } from '../policy';
import { listEvaluations } from './evaluations.queries';
import type { evaluationListSchema } from './evaluations.schemas';

/** Evaluations the actor may see, filtered. A CSR's list holds only their own released scorecards. */
export async function searchEvaluations(deps: AppDeps, actor: Actor, query: z.output<typeof evaluationListSchema>) {
  let agentId: number | undefined;
  if (query.agent) {
    const agent = await deps.db.selectFrom('users').select('id').where('username', '=', query.agent).executeTakeFirst();
    agentId = agent?.id ?? -1;
  }
  const base = {
    rubricId: query.rubric_id,
    from: query.from,
    to: query.to,
    beforeId: query.cursor,
    limit: query.limit,
  };
  if (actor.role === 'csr') {
    const statuses = query.status ? CSR_VISIBLE.filter((s) => s === query.status) : CSR_VISIBLE;
    if (statuses.length === 0 || (agentId !== undefined && agentId !== actor.id))
      return { items: [], nextBeforeId: null };
    return listEvaluations(deps.db, { ...base, teamIds: 'all', agentId: actor.id, statuses });
  }
  const scope = await teamScope(deps.db, actor);
  return listEvaluations(deps.db, {
    ...base,
    teamIds: scope.all ? 'all' : scope.teamIds,
    agentId,
    statuses: query.status ? [query.status] : undefined,
  });
}
